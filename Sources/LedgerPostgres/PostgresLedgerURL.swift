public import Foundation

/// `ledger: postgres://user@host:5432/db?sslmode=…`, read and checked. The password never comes
/// from the URL (a job file is copied, pasted and committed): it comes from an environment
/// variable or a file the job file names, or from `PGPASSWORD`.
public struct PostgresLedgerURL: Sendable, Hashable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        /// No TLS: a server on this machine or a private network.
        case disable
        /// TLS when the server offers it (libpq's default).
        case prefer
        /// TLS or no connection. The server's certificate is checked against the system's roots.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode

    /// Whether a ledger value names PostgreSQL rather than a SQLite file.
    public static func isPostgres(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    public init(_ text: String) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw PostgresLedgerError("\(Self.redacted(text)) is not a PostgreSQL URL: write postgres://USER@HOST:5432/DATABASE?sslmode=require")
        }
        if components.password != nil {
            throw PostgresLedgerError(
                "the ledger URL \(Self.redacted(text)) holds a password: take it out, and name where it comes from instead (`password_env: VAR` or `password_file: PATH` in the job file's ledger block, or PGPASSWORD)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresLedgerError("the ledger URL \(text) names no host: write postgres://USER@HOST:5432/DATABASE")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresLedgerError("the ledger URL \(text) names no user: write postgres://USER@HOST:5432/DATABASE")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw PostgresLedgerError("the ledger URL \(text) names no database: write postgres://USER@HOST:5432/DATABASE")
        }
        var sslMode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    throw PostgresLedgerError("sslmode=\(item.value ?? "") in the ledger URL is not supported: use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            default:
                throw PostgresLedgerError("unknown parameter \(item.name) in the ledger URL: the one parameter is sslmode")
            }
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user
        self.database = database
        self.sslMode = sslMode
    }

    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    /// The text with anything between `://` and `@` cut to the user name: for messages about a
    /// URL that may hold a password.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return text }
        let credentials = text[scheme.upperBound..<at]
        let user = credentials.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return String(text[..<scheme.upperBound]) + user + (credentials.contains(":") ? ":***" : "") + String(text[at...])
    }
}

/// Where the ledger's password comes from; read at open, never stored or printed.
public enum PostgresPasswordSource: Sendable, Hashable {
    case none
    /// An environment variable's value.
    case environment(String)
    /// The first line of a file (0600, as for a token file).
    case file(String)

    /// The password, or nil for none (trust or peer authentication). `PGPASSWORD` is the fallback.
    public func read(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        switch self {
        case .none:
            return environment["PGPASSWORD"]
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw PostgresLedgerError("the ledger's password variable \(name) is not set: export it before running, or name a file with `password_file:`")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PostgresLedgerError("cannot read the ledger's password file \(path): check that it exists and is readable by this user")
            }
            let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw PostgresLedgerError("the ledger's password file \(path) is empty") }
            return line
        }
    }
}

/// A PostgreSQL ledger problem, said so that the user can act on it (never with the password).
public struct PostgresLedgerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A connected referral's step another worker has, or had (see `markConnectedPending`).
public struct RecordClaimedElsewhere: Error, CustomStringConvertible, Sendable {
    public enum Reason: Sendable, Hashable {
        /// Another live worker is sending it.
        case liveClaim(holder: String)
        /// Another worker created it after this run planned the record.
        case settled
        /// Another worker left it pending (died mid-POST): the next run's reconciliation lists it.
        case leftPending
    }

    public var reason: Reason
    public var description: String {
        switch reason {
        case .liveClaim(let holder): "claimed by \(holder)"
        case .settled: "created by another worker meanwhile"
        case .leftPending: "left pending by another worker: the next run looks for it before sending it"
        }
    }
}
