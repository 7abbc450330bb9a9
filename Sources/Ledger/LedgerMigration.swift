public import Foundation

/// `refbridge ledger migrate`: every entry and run from one ledger into an empty other (SQLite to
/// PostgreSQL and back), then counts and a checksum of both compared.
public enum LedgerMigration {
    public struct Result: Sendable {
        public var source: LedgerChecksum
        public var target: LedgerChecksum
        public var seconds: Double
        public var matches: Bool { source == target }
    }

    /// Entries are copied this many at a time, each page in one transaction.
    static let pageSize = 5_000

    public static func run(from source: any MappingLedger, to target: any MappingLedger, progress: (Int) -> Void = { _ in }) async throws -> Result {
        let started = Date()
        let existing = try await target.rowCounts()
        guard existing.entries == 0, existing.runs == 0 else {
            throw LedgerError("the target ledger \(target.location) already holds \(existing.entries) entries and \(existing.runs) runs: migrate into an empty ledger (a new file, or a new database)")
        }
        if let database = source as? LedgerDatabase, try await database.pullRowCount() > 0 {
            throw LedgerError("\(source.location) holds pull history or write-back batches (issue #13), which `ledger migrate` does not move yet: nothing was copied")
        }
        try await target.importRows(entries: [], runs: try await source.allRuns())
        var copied = 0
        try await source.forEachEntry(pageSize: pageSize) { page in
            try await target.importRows(entries: page, runs: [])
            copied += page.count
            progress(copied)
        }
        let sourceSum = try await LedgerChecksum.of(source)
        let targetSum = try await LedgerChecksum.of(target)
        return Result(source: sourceSum, target: targetSum, seconds: Date().timeIntervalSince(started))
    }
}
