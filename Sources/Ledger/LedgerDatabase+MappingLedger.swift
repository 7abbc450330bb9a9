public import Foundation
import GRDB

/// The SQLite ledger as a `MappingLedger`: one host, one writer (the run lease).
extension LedgerDatabase: MappingLedger {
    public func hold() async throws {
        _ = try await acquireLease()
    }

    public func keepHolding() async throws -> Bool {
        try await renewLease()
    }

    public var heartbeatInterval: TimeInterval { Self.heartbeatInterval }

    public func forEachEntry(pageSize: Int, _ body: ([LedgerEntry]) async throws -> Void) async throws {
        var after: (String, String)? = nil
        while true {
            let page: [LedgerEntry] = try await writer.read { [after] db in
                if let after {
                    return try LedgerEntry.fetchAll(
                        db, sql: "SELECT \(LedgerEntry.selectionSQL) FROM entry WHERE (system, externalId) > (?, ?) ORDER BY system, externalId LIMIT ?",
                        arguments: [after.0, after.1, pageSize])
                }
                return try LedgerEntry.fetchAll(db, sql: "SELECT \(LedgerEntry.selectionSQL) FROM entry ORDER BY system, externalId LIMIT ?", arguments: [pageSize])
            }
            guard let last = page.last else { return }
            try await body(page)
            after = (last.system, last.externalId)
        }
    }

    public func allRuns() async throws -> [RunRecord] {
        try await writer.read { db in try RunRecord.order(Column("id")).fetchAll(db) }
    }

    public func importRows(entries: [LedgerEntry], runs: [RunRecord]) async throws {
        try await writer.write { db in
            for run in runs { try run.insert(db) }
            for entry in entries { try entry.insert(db) }
        }
    }

    public func rowCounts() async throws -> (entries: Int, runs: Int) {
        try await writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") ?? 0)
        }
    }

    public func close() async {}

    /// Rows of the pull and write-back tables (issue #13), which `ledger migrate` does not move yet.
    public func pullRowCount() async throws -> Int {
        try await writer.read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM remoteReferral) + (SELECT COUNT(*) FROM history) + (SELECT COUNT(*) FROM pullState)
                     + (SELECT COUNT(*) FROM writebackBatch) + (SELECT COUNT(*) FROM writebackState) + (SELECT COUNT(*) FROM incomingLead)
                """) ?? 0
        }
    }
}
