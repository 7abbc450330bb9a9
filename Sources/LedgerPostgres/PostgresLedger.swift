#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation
public import Ledger
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The mapping ledger in PostgreSQL, shared by several hosts (issue #14).
///
/// The same tables and migrations as the SQLite ledger, in the same order. What differs is who
/// may send: instead of one run holding the whole ledger (the SQLite lease), every run on every
/// host registers as a worker and claims each record at its `pending` mark, in the same
/// transaction, with a row lock (`SELECT … FOR UPDATE`). A claim lasts `claimTimeout` seconds
/// from the database's clock and is renewed by the worker's heartbeat while the process lives;
/// see `PostgresLedger+Claims.swift` and the README's "Several hosts" section.
public final class PostgresLedger: MappingLedger {
    let client: PostgresClient
    private let running: Task<Void, Never>
    let logger: Logger
    public let location: String
    /// This process's worker token: the `claimedBy` of its claims.
    let worker: String
    /// Whether `hold()` registered the worker (tools that only read or migrate do not).
    let registered = Mutex(false)

    /// A claim not renewed for this long is another worker's to take over. Longer than the
    /// heartbeat by far, so a live worker never loses one; short enough that a dead worker's share
    /// is picked up within a minute.
    public static let claimTimeout: TimeInterval = 30
    public static let heartbeat: TimeInterval = 5
    public var heartbeatInterval: TimeInterval { Self.heartbeat }

    /// Connects and migrates. `connections` bounds this process's pool.
    public static func open(_ url: PostgresLedgerURL, password: PostgresPasswordSource, connections: Int = 8) async throws -> PostgresLedger {
        let secret = try password.read()
        let tls: PostgresClient.Configuration.TLS
        switch url.sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: url.host, port: url.port, username: url.user, password: secret, database: url.database, tls: tls)
        configuration.options.maximumConnections = max(2, connections)
        configuration.options.minimumConnections = 0
        // The pool's own notes (connections opened and closed, a query queued before the pool's
        // task ran) are no news to a user: errors only.
        var background = Logger(label: "refbridge.ledger.postgres")
        background.logLevel = .error
        let ledger = PostgresLedger(client: PostgresClient(configuration: configuration, backgroundLogger: background), location: url.description)
        do {
            try await ledger.migrate()
        } catch {
            await ledger.close()
            throw PostgresLedgerError("cannot open the ledger \(url): \(Self.describe(error)). Check that the server runs, the user may log in (password from the job file's ledger block or PGPASSWORD) and the database exists")
        }
        return ledger
    }

    private init(client: PostgresClient, location: String) {
        self.client = client
        self.location = location
        var logger = Logger(label: "refbridge.ledger.postgres")
        logger.logLevel = .warning
        self.logger = logger
        running = Task { await client.run() }
        worker = "\(Self.hostName):\(getpid()):\(UUID().uuidString.lowercased().prefix(8))"
    }

    public func close() async {
        running.cancel()
        _ = await running.value
    }

    /// An error in a sentence: the driver's `PSQLError` hides the server's message in its
    /// description (it may hold query values), so the server's own text is taken when there is one.
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return "the server said: \(message)" }
            return "\(psql.code)"
        }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError { return describe(inner) }
            if let inner = transaction.beginError { return describe(inner) }
            if let inner = transaction.commitError { return describe(inner) }
        }
        return "\(error)"
    }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension PostgresLedger {
    /// A transaction whose own errors (a claim held elsewhere, a lost registration) reach the
    /// caller as they are, not wrapped in the driver's `PostgresTransactionError`.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError { throw inner }
            throw error
        }
    }
}
