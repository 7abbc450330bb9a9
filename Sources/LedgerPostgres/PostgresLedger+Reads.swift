public import Foundation
public import Ledger
import PostgresNIO

extension PostgresLedger {
    public func entry(system: String, externalId: String) async throws -> LedgerEntry? {
        try await entries("SELECT \(unescaped: Self.entrySelection) FROM entry e WHERE e.\"system\" = \(system) AND e.\"externalId\" = \(externalId)").first
    }

    /// One query for the whole chunk (an array parameter), whatever its size.
    public func entries(system: String, externalIds: [String]) async throws -> [String: LedgerEntry] {
        guard !externalIds.isEmpty else { return [:] }
        let found = try await entries("SELECT \(unescaped: Self.entrySelection) FROM entry e WHERE e.\"system\" = \(system) AND e.\"externalId\" = ANY(\(externalIds))")
        var result: [String: LedgerEntry] = [:]
        result.reserveCapacity(found.count)
        for entry in found { result[entry.externalId] = entry }
        return result
    }

    public func find(externalId: String) async throws -> [LedgerEntry] {
        try await entries("SELECT \(unescaped: Self.entrySelection) FROM entry e WHERE e.\"externalId\" = \(externalId) ORDER BY e.\"system\"")
    }

    /// The SQLite ledger's definition (`LedgerDatabase.unresolvedCondition`), in this dialect.
    static let unresolvedCondition = """
        ((e."referralId" IS NULL AND e."pendingSince" IS NOT NULL AND e."state" != 'rejected')
           OR (e."referralId" IS NOT NULL AND e."needsConnected" AND e."connectedReferralId" IS NULL))
        """

    public func runs(limit: Int) async throws -> [RunRecord] {
        var result: [RunRecord] = []
        for try await row in try await client.query("SELECT \(unescaped: Self.runSelection) FROM run ORDER BY \"id\" DESC LIMIT \(limit)", logger: logger) {
            result.append(try Self.run(row))
        }
        return result
    }

    public func allRuns() async throws -> [RunRecord] {
        var result: [RunRecord] = []
        for try await row in try await client.query("SELECT \(unescaped: Self.runSelection) FROM run ORDER BY \"id\"", logger: logger) {
            result.append(try Self.run(row))
        }
        return result
    }

    public func stats() async throws -> LedgerStats {
        var bySystem: [String: [LedgerState: Int]] = [:]
        for try await (system, state, count) in try await client.query("SELECT \"system\", \"state\", COUNT(*) FROM entry GROUP BY \"system\", \"state\"", logger: logger).decode((String, String, Int).self) {
            bySystem[system, default: [:]][LedgerState(rawValue: state) ?? .failed] = count
        }
        var unresolved = 0
        for try await count in try await client.query("SELECT COUNT(*) FROM entry e WHERE \(unescaped: Self.unresolvedCondition)", logger: logger).decode(Int.self) {
            unresolved = count
        }
        return LedgerStats(bySystem: bySystem, unresolved: unresolved, lastRuns: try await runs(limit: 5))
    }

    public func rowCounts() async throws -> (entries: Int, runs: Int) {
        var counts = (entries: 0, runs: 0)
        for try await (entries, runs) in try await client.query("SELECT (SELECT COUNT(*) FROM entry), (SELECT COUNT(*) FROM run)", logger: logger).decode((Int, Int).self) {
            counts = (entries, runs)
        }
        return counts
    }

    public func forEachEntry(pageSize: Int, _ body: ([LedgerEntry]) async throws -> Void) async throws {
        var after: (String, String)? = nil
        while true {
            let page: [LedgerEntry]
            if let after {
                page = try await entries(
                    "SELECT \(unescaped: Self.entrySelection) FROM entry e WHERE (e.\"system\", e.\"externalId\") > (\(after.0), \(after.1)) ORDER BY e.\"system\", e.\"externalId\" LIMIT \(pageSize)")
            } else {
                page = try await entries("SELECT \(unescaped: Self.entrySelection) FROM entry e ORDER BY e.\"system\", e.\"externalId\" LIMIT \(pageSize)")
            }
            guard let last = page.last else { return }
            try await body(page)
            after = (last.system, last.externalId)
        }
    }
}
