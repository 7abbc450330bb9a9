import Foundation
import Ledger
import LedgerPostgres
import Logging
import PostgresNIO
import Testing

/// The two stores the ledger suite runs against. PostgreSQL needs a server: `.ci/run` starts one
/// and sets `REFBRIDGE_TEST_POSTGRES_URL`; without it, a developer's run covers SQLite only, and a
/// CI run (CI=true) fails instead of skipping.
enum LedgerBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["REFBRIDGE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The stores to test here: PostgreSQL whenever a server is given, or CI expects one.
    static var available: [LedgerBackend] {
        postgresURL != nil || isCI ? [.sqlite, .postgres] : [.sqlite]
    }

    /// A new, empty ledger of this kind. `close` drops a PostgreSQL test database.
    func make() async throws -> TestLedger {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID()).sqlite").path
            return TestLedger(ledger: try LedgerDatabase.open(path: path), cleanup: { try? FileManager.default.removeItem(atPath: path) })
        case .postgres:
            let (url, name) = try await Self.newDatabase()
            let ledger = try await PostgresLedger.open(url, password: .none)
            return TestLedger(ledger: ledger, cleanup: { await ledger.close(); await Self.dropDatabase(name) }, url: url)
        }
    }

    /// A database of its own for one test, on the server at `REFBRIDGE_TEST_POSTGRES_URL`.
    static func newDatabase() async throws -> (PostgresLedgerURL, String) {
        guard let text = postgresURL else {
            throw TestSetupError("REFBRIDGE_TEST_POSTGRES_URL is not set but CI=true: .ci/run should have started PostgreSQL and set it")
        }
        var url = try PostgresLedgerURL(text)
        let name = "refbridge_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
        try await admin(url) { client in try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
        url.database = name
        return (url, name)
    }

    static func dropDatabase(_ name: String) async {
        guard let text = postgresURL, let url = try? PostgresLedgerURL(text) else { return }
        try? await admin(url) { client in try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")) }
    }

    static func admin(_ url: PostgresLedgerURL, _ body: (PostgresClient) async throws -> Void) async throws {
        let configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: ProcessInfo.processInfo.environment["PGPASSWORD"], database: url.database, tls: .disable)
        var quiet = Logger(label: "test")
        quiet.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        let running = Task { await client.run() }
        defer { running.cancel() }
        try await body(client)
    }
}

struct TestLedger: Sendable {
    var ledger: any MappingLedger
    var cleanup: @Sendable () async -> Void
    /// The database, for a second "host" on the same PostgreSQL ledger.
    var url: PostgresLedgerURL? = nil
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a new ledger of `backend`, and cleans up whatever happens.
func withLedger(_ backend: LedgerBackend, _ body: (any MappingLedger) async throws -> Void) async throws {
    let test = try await backend.make()
    do {
        try await body(test.ledger)
    } catch {
        await test.cleanup()
        throw error
    }
    await test.cleanup()
}
