import Foundation
import GRDB

extension LedgerDatabase {
    public func entry(system: String, externalId: String) async throws -> LedgerEntry? {
        try await writer.read { db in try LedgerEntry.fetchOne(db, key: ["system": system, "externalId": externalId]) }
    }

    /// Entries for many ids of one system, in chunks under SQLite's variable limit.
    public func entries(system: String, externalIds: [String]) async throws -> [String: LedgerEntry] {
        guard !externalIds.isEmpty else { return [:] }
        return try await writer.read { db in
            var result: [String: LedgerEntry] = [:]
            result.reserveCapacity(externalIds.count)
            for chunk in externalIds.chunked(500) {
                let marks = databaseQuestionMarks(count: chunk.count)
                let rows = try LedgerEntry.fetchAll(
                    db, sql: "SELECT \(LedgerEntry.selectionSQL) FROM entry WHERE system = ? AND externalId IN (\(marks))",
                    arguments: StatementArguments([system] + Array(chunk)))
                for row in rows { result[row.externalId] = row }
            }
            return result
        }
    }

    /// Every system's entries for an external id.
    public func find(externalId: String) async throws -> [LedgerEntry] {
        try await writer.read { db in
            try LedgerEntry.filter(Column("externalId") == externalId).order(Column("system")).fetchAll(db)
        }
    }

    /// The one definition of "unresolved", the heart of exactly-once: a create that was (or was about
    /// to be) sent and whose referral id is not known, or a shared referral whose connected referral
    /// for Microsoft is not known. The next run settles these before it sends anything else.
    static let unresolvedCondition = """
        ((referralId IS NULL AND pendingSince IS NOT NULL AND state != 'rejected')
           OR (referralId IS NOT NULL AND needsConnected AND connectedReferralId IS NULL))
        """

    /// Unresolved entries (see `unresolvedCondition`), oldest attempt first.
    public func unresolved(system: String?) async throws -> [LedgerEntry] {
        try await writer.read { db in
            // Named: without a `system = ?` term SQLite chose to scan the table instead. The index's
            // condition is this query's, so it holds every row the query wants (SQLite refuses the
            // statement otherwise, so a test of this query fails if the two ever part).
            var sql = "SELECT \(LedgerEntry.selectionSQL) FROM entry INDEXED BY entry_unresolved WHERE \(Self.unresolvedCondition)"
            var arguments: StatementArguments = []
            if let system {
                sql += " AND system = ?"
                arguments = [system]
            }
            sql += " ORDER BY COALESCE(pendingSince, connectedPendingSince)"
            return try LedgerEntry.fetchAll(db, sql: sql, arguments: arguments)
        }
    }

    public func runs(limit: Int) async throws -> [RunRecord] {
        try await writer.read { db in try RunRecord.order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    public func stats() async throws -> LedgerStats {
        try await writer.read { db in
            var bySystem: [String: [LedgerState: Int]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT system, state, COUNT(*) AS n FROM entry GROUP BY system, state")
            for row in rows {
                let system: String = row["system"]
                let state = LedgerState(rawValue: row["state"]) ?? .failed
                bySystem[system, default: [:]][state] = row["n"]
            }
            let unresolved = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry WHERE \(Self.unresolvedCondition)") ?? 0
            let runs = try RunRecord.order(Column("id").desc).limit(5).fetchAll(db)
            return LedgerStats(bySystem: bySystem, unresolved: unresolved, lastRuns: runs)
        }
    }

    public enum ExportFormat: String, Sendable, CaseIterable {
        case csv, json
    }

    static let exportColumns = [
        "system", "externalId", "state", "referralId", "engagementId", "connectedReferralId", "eTag", "status", "substatus",
        "attempts", "lastError", "sourceLocation", "firstRunId", "lastRunId", "createdAt", "updatedAt",
    ] + pullExportColumns

    /// Streams every entry to `write` (a cursor, not all rows in memory). JSON is one array.
    /// `write` throws to stop the export (a full disk).
    public func export(format: ExportFormat, write: ([UInt8]) throws -> Void) throws {
        try writer.read { db in
            var buffer = Data()
            func flush(_ force: Bool = false) throws {
                if force || buffer.count > 1 << 16 {
                    try write([UInt8](buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            if format == .csv {
                buffer.append(Data((Self.exportColumns.joined(separator: ",") + "\r\n").utf8))
            } else {
                buffer.append(Data("[".utf8))
            }
            // The entry's columns first (LedgerEntry(row:) reads them by position), then the pull's (issue #13).
            let cursor = try Row.fetchCursor(db, sql: Self.pullExportSQL)
            var first = true
            while let row = try cursor.next() {
                let entry = try LedgerEntry(row: row)
                let pull = try PullExportFields(row: row, from: LedgerEntry.columnNames.count)
                if format == .csv {
                    let iso = ISO8601DateFormatter()
                    let fields: [String] = [
                        entry.system, entry.externalId, entry.state.rawValue, entry.referralId ?? "", entry.engagementId ?? "",
                        entry.connectedReferralId ?? "", entry.eTag ?? "", entry.status ?? "", entry.substatus ?? "", String(entry.attempts),
                        entry.lastError ?? "", entry.sourceLocation ?? "", entry.firstRunId.map(String.init) ?? "",
                        entry.lastRunId.map(String.init) ?? "", iso.string(from: entry.createdAt), iso.string(from: entry.updatedAt),
                    ] + pull.csvFields
                    buffer.append(Data((fields.map(SpreadsheetCSV.field).joined(separator: ",") + "\r\n").utf8))
                } else {
                    if !first { buffer.append(Data(",\n".utf8)) }
                    buffer.append(try pull.appended(to: encoder.encode(entry)))
                }
                first = false
                try flush()
            }
            if format == .json { buffer.append(Data("]\n".utf8)) }
            try flush(true)
        }
    }
}
