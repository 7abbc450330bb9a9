import Foundation
public import Ledger
public import LedgerPostgres

/// Opens the ledger a job (or a `ledger` command) names: a path is the SQLite file, a
/// `postgres://` URL the shared PostgreSQL ledger (issue #14).
public enum LedgerStore {
    public static func open(_ configuration: JobConfiguration) async throws -> any MappingLedger {
        if let url = configuration.ledgerURL {
            return try await PostgresLedger.open(url, password: configuration.ledgerPassword, connections: min(64, configuration.upload.concurrency * 4 + 4))
        }
        return try LedgerDatabase.open(path: configuration.ledgerPath)
    }

    /// For tools: `location` is a path or a URL; a SQLite file must exist unless `create`.
    public static func open(location: String, password: PostgresPasswordSource = .none, readOnly: Bool, create: Bool = false) async throws -> any MappingLedger {
        if PostgresLedgerURL.isPostgres(location) {
            return try await PostgresLedger.open(try PostgresLedgerURL(location), password: password)
        }
        if !create, !FileManager.default.fileExists(atPath: location) {
            throw LedgerStoreError(description: "no ledger at \(location): pass a ledger file or a postgres:// URL")
        }
        return readOnly ? try LedgerDatabase.open(path: location, readOnly: true) : try LedgerDatabase.open(path: location)
    }
}

public struct LedgerStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
