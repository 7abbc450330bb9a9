import Foundation
import GRDB
import GRDBSQLite
import Synchronization

extension LedgerDatabase {
    /// Ids looked up per statement: under SQLite's variable limit, and one prepared statement
    /// reused for every full slice.
    static let planningSlice = 500

    /// SQLite copies the bound bytes (`SQLITE_TRANSIENT`, a macro Swift does not import).
    private static let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// The planning view of each id's entry, by position: element `i` is the entry of
    /// `externalIds[i]`, nil for a nil id or an id the ledger does not hold. An id repeated in the
    /// list gets its entry at its first position only.
    ///
    /// A nightly run asks this of every chunk of its input, and its input is, most nights, in the
    /// order of the night before: the order the ledger's rows were written in. So the chunk's rows
    /// are first read as one run of rows from where its first id's row is (`readRun`), with no
    /// index search per id; the ids that run did not hold are then looked up by the index.
    /// `PlanningRuns` stops trying runs while they miss (an input in another order).
    public func planningEntries(system: String, externalIds: [String?]) async throws -> [PlanningEntry?] {
        // First occurrences, in input order, and where each is in that order.
        var order: [(id: String, position: Int)] = []
        order.reserveCapacity(externalIds.count)
        var rank: [String: Int] = [:]
        rank.reserveCapacity(externalIds.count)
        for (position, id) in externalIds.enumerated() {
            guard let id, rank[id] == nil else { continue }
            rank[id] = order.count
            order.append((id, position))
        }
        let count = externalIds.count
        guard !order.isEmpty else { return Array(repeating: nil, count: count) }
        let tryRun = order.count >= PlanningRuns.minimumIds && planningRuns.withLock { $0.shouldTry() }
        let (result, run) = try await writer.read { [order, rank] db in
            var result = [PlanningEntry?](repeating: nil, count: count)
            var repeated = PlanningEntry.RepeatedTexts()
            let run = tryRun ? try Self.readRun(db, system: system, order: order, rank: rank, into: &result, repeated: &repeated) : nil
            let rest = run == nil ? order : order.filter { result[$0.position] == nil }
            try Self.readByIndex(db, system: system, ids: rest, into: &result, repeated: &repeated)
            return (result, run)
        }
        if let run { planningRuns.withLock { $0.record(run) } }
        return result
    }

    /// Reads the rows that follow the row of the first of `order`'s ids the ledger holds, in row
    /// order, up to one row per id and until the rows stop holding the chunk's ids, and places
    /// those of `order`'s ids. Returns nil when none of the first few ids is in the ledger (a
    /// chunk of new records): nothing to start from.
    static func readRun(
        _ db: Database, system: String, order: [(id: String, position: Int)], rank: [String: Int], into result: inout [PlanningEntry?],
        repeated: inout PlanningEntry.RepeatedTexts
    ) throws -> PlanningRuns.Run? {
        var start: Int64?
        for (id, _) in order.prefix(PlanningRuns.startTries) {
            let statement = try db.cachedStatement(sql: "SELECT rowid FROM entry WHERE system = ? AND externalId = ?")
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            defer { sqlite3_reset(handle) }
            try bind(system, at: 1, in: handle, db: db)
            try bind(id, at: 2, in: handle, db: db)
            let code = sqlite3_step(handle)
            if code == SQLITE_ROW {
                start = sqlite3_column_int64(handle, 0)
                break
            }
            guard code == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql) }
        }
        guard let start else { return nil }
        // Rows of other systems are passed over inside SQLite, so the rowids are bounded too: the
        // last chunk of one source's rows, written before a million of another's, must not scan
        // them all.
        let statement = try db.cachedStatement(
            sql: "SELECT \(PlanningEntry.selectionSQL) FROM entry NOT INDEXED WHERE rowid >= ? AND rowid < ? AND system = ? ORDER BY rowid LIMIT ?")
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer { sqlite3_reset(handle) }
        let count = Int64(order.count)
        sqlite3_bind_int64(handle, 1, start)
        let (end, overflow) = start.addingReportingOverflow(count * PlanningRuns.rowidSpan)
        sqlite3_bind_int64(handle, 2, overflow ? Int64.max : end)
        try bind(system, at: 3, in: handle, db: db)
        sqlite3_bind_int64(handle, 4, count)
        var run = PlanningRuns.Run()
        // The id the next row most likely holds: the one after the last placed.
        var next = 0
        // Rows read since the last placed: past the chunk's last row, every row is another chunk's.
        var stray = 0
        while next < order.count, stray < PlanningRuns.strayRowsToStop {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql) }
            run.read += 1
            let found: Int
            if PlanningEntry.column(handle, 0, equals: order[next].id) {
                found = next
            } else {
                // Ids between the last placed and this one have no row here (skipped or new
                // records), or this row is another chunk's.
                guard let id = PlanningEntry.text(handle, 0), let index = rank[id] else {
                    stray += 1
                    continue
                }
                found = index
            }
            stray = 0
            let position = order[found].position
            next = max(next, found + 1)
            guard result[position] == nil else { continue }
            result[position] = try PlanningEntry(statement: handle, repeated: &repeated)
            run.placed += 1
        }
        return run
    }

    /// Reads the entries of `ids` through the index, `planningSlice` ids a statement.
    private static func readByIndex(
        _ db: Database, system: String, ids: [(id: String, position: Int)], into result: inout [PlanningEntry?], repeated: inout PlanningEntry.RepeatedTexts
    ) throws {
        guard !ids.isEmpty else { return }
        // Where each id goes; only for the ids looked up here.
        var positions: [String: Int] = [:]
        positions.reserveCapacity(ids.count)
        for (id, position) in ids { positions[id] = position }
        // Straight through SQLite's C API: the ledger's own share of this query was small next to
        // GRDB's generic row decoding (metadata lookups, an existential per argument).
        var start = 0
        while start < ids.count {
            let end = min(start + planningSlice, ids.count)
            let statement = try db.cachedStatement(sql: planningSQL(count: end - start))
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            defer { sqlite3_reset(handle) }
            try bind(system, at: 1, in: handle, db: db)
            for (offset, id) in ids[start..<end].enumerated() {
                try bind(id.id, at: Int32(offset + 2), in: handle, db: db)
            }
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql)
                }
                guard let id = PlanningEntry.text(handle, 0), let position = positions[id] else { continue }
                result[position] = try PlanningEntry(statement: handle, repeated: &repeated)
            }
            start = end
        }
    }

    /// The planning query for `count` ids, made once per count (a chunk's slices have the same few
    /// sizes run after run): `databaseQuestionMarks` joined 500 strings for every slice of every
    /// chunk, 2.5 % of a nightly re-run's samples.
    static func planningSQL(count: Int) -> String {
        planningQueries.withLock { queries in
            if let sql = queries[count] { return sql }
            let sql = "SELECT \(PlanningEntry.selectionSQL) FROM entry WHERE system = ? AND externalId IN (\(databaseQuestionMarks(count: count)))"
            // A handful of sizes at most (a full slice, and what a chunk leaves over); bounded all the same.
            if queries.count >= 64 { queries.removeAll() }
            queries[count] = sql
            return sql
        }
    }

    private static let planningQueries = Mutex<[Int: String]>([:])

    /// Binds a text parameter (copied by SQLite).
    private static func bind(_ text: String, at index: Int32, in statement: SQLiteStatement, db: Database) throws {
        var text = text
        let code = text.withUTF8 { bytes in
            sqlite3_bind_text(statement, index, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), sqliteTransient)
        }
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage) }
    }
}

/// Whether planning lookups try a run of rows first, learned from the chunks before: a run read
/// where the input is in another order than the ledger costs a read of rows for nothing, so after
/// a run that placed fewer than half the rows it read, runs pause for a while, longer after each
/// miss in a row.
struct PlanningRuns {
    /// What one run read and placed.
    struct Run {
        var read = 0
        var placed = 0
    }

    /// Chunks smaller than this are looked up by the index alone: a run gains nothing there.
    static let minimumIds = 32
    /// Rows in a row that hold none of the chunk's ids, after which a run stops (the chunk's rows
    /// are behind it; any left are looked up by the index).
    static let strayRowsToStop = 16
    /// A run reads rowids up to this many times the chunk's ids past its start (rows of other
    /// systems, deleted rows and rows of records not in this chunk fill the gaps).
    static let rowidSpan: Int64 = 4
    /// Ids tried, in order, for the row a run starts from.
    static let startTries = 4
    /// The longest pause, in chunks.
    static let longestPause = 256

    private var pause = 0
    private var misses = 0

    mutating func shouldTry() -> Bool {
        guard pause == 0 else {
            pause -= 1
            return false
        }
        return true
    }

    mutating func record(_ run: Run) {
        if run.placed * 2 >= run.read {
            misses = 0
            return
        }
        misses += 1
        pause = min(Self.longestPause, 1 << min(misses, 8))
    }
}
