import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// What planning a record reads of its ledger entry: enough to tell unchanged from changed, and a
/// settled record's ids for the report. No dates, no request ids: a record that needs a call has
/// its whole `LedgerEntry` read afterwards (`entries(system:externalIds:)`).
///
/// A nightly run reads one of these for every record of the input; the whole entry (22 columns,
/// four dates parsed through Foundation's calendar) made the ledger lookup 1.8 s of a 500k-record
/// run over unchanged records, more than the planning of them.
public struct PlanningEntry: Sendable, Hashable {
    public var state: LedgerState
    public var referralId: String?
    public var engagementId: String?
    public var needsConnected: Bool
    public var connectedReferralId: String?
    public var status: String?
    public var substatus: String?
    public var payloadHash: String?
    public var lastError: String?
    /// See `LedgerEntry.sourceDigest`.
    public var sourceDigest: String?
    public var sourceMapsTo: String?

    public init(
        state: LedgerState, referralId: String? = nil, engagementId: String? = nil, needsConnected: Bool = false, connectedReferralId: String? = nil,
        status: String? = nil, substatus: String? = nil, payloadHash: String? = nil, lastError: String? = nil, sourceDigest: String? = nil,
        sourceMapsTo: String? = nil
    ) {
        self.state = state
        self.referralId = referralId
        self.engagementId = engagementId
        self.needsConnected = needsConnected
        self.connectedReferralId = connectedReferralId
        self.status = status
        self.substatus = substatus
        self.payloadHash = payloadHash
        self.lastError = lastError
        self.sourceDigest = sourceDigest
        self.sourceMapsTo = sourceMapsTo
    }

    public init(_ entry: LedgerEntry) {
        self.init(
            state: entry.state, referralId: entry.referralId, engagementId: entry.engagementId, needsConnected: entry.needsConnected,
            connectedReferralId: entry.connectedReferralId, status: entry.status, substatus: entry.substatus, payloadHash: entry.payloadHash,
            lastError: entry.lastError, sourceDigest: entry.sourceDigest, sourceMapsTo: entry.sourceMapsTo)
    }

    /// The columns read, in order; the id first, to place each row.
    static let selectionSQL = "externalId, state, referralId, engagementId, needsConnected, connectedReferralId, status, substatus, payloadHash, lastError, sourceDigest, sourceMapsTo"

    /// Reads the current row of a stepped statement selecting `selectionSQL`. Throws on a state it
    /// does not know (written by another tool) instead of trapping.
    /// - Parameter repeated: the texts of the row read before, shared where this row's are the same.
    init(statement: SQLiteStatement, repeated: inout RepeatedTexts) throws {
        guard let state = LedgerState(rawValue: Self.text(statement, 1) ?? "") else {
            throw LedgerError("the ledger holds an entry in a state this version does not know (\(Self.text(statement, 1) ?? "null")): was it written by another tool?")
        }
        self.state = state
        referralId = Self.text(statement, 2)
        engagementId = Self.text(statement, 3)
        needsConnected = sqlite3_column_int64(statement, 4) != 0
        connectedReferralId = Self.text(statement, 5)
        status = repeated.status.read(statement, 6)
        substatus = repeated.substatus.read(statement, 7)
        payloadHash = Self.text(statement, 8)
        lastError = repeated.lastError.read(statement, 9)
        sourceDigest = Self.text(statement, 10)
        sourceMapsTo = repeated.sourceMapsTo.read(statement, 11)
    }

    /// The columns whose text is most often the same from one row to the next: on a re-run over
    /// records the mapping refuses, every entry holds the same reason and the same mark.
    struct RepeatedTexts {
        var status = RepeatedText()
        var substatus = RepeatedText()
        var lastError = RepeatedText()
        var sourceMapsTo = RepeatedText()
    }

    /// A column's text, shared with the row before when its bytes are the same: no allocation, and
    /// the strings compare equal at once where they are compared later (a report's detail cell).
    struct RepeatedText {
        private var last: String?

        mutating func read(_ statement: SQLiteStatement, _ column: Int32) -> String? {
            guard let bytes = sqlite3_column_text(statement, column) else { return nil }
            let read = UnsafeBufferPointer(start: bytes, count: max(0, Int(sqlite3_column_bytes(statement, column))))
            if var last, last.withUTF8({ Self.same($0, read) }) {
                return last
            }
            // Invalid UTF-8 is repaired here, so its bytes never match the next row's: read anew.
            let text = String(decoding: read, as: UTF8.self)
            last = text
            return text
        }

        private static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
            guard a.count == b.count else { return false }
            // Two empty buffers may have no address; equal lengths above zero have both.
            guard let first = a.baseAddress, let second = b.baseAddress else { return true }
            return memcmp(first, second, a.count) == 0
        }
    }

    /// A column as text, nil for NULL (a number is read as its text, as SQLite converts it).
    static func text(_ statement: SQLiteStatement, _ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: max(0, count)), as: UTF8.self)
    }
}

extension LedgerDatabase {
    /// Ids looked up per statement: under SQLite's variable limit, and one prepared statement
    /// reused for every full slice.
    static let planningSlice = 500

    /// SQLite copies the bound bytes (`SQLITE_TRANSIENT`, a macro Swift does not import).
    private static let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// The planning view of each id's entry, by position: element `i` is the entry of
    /// `externalIds[i]`, nil for a nil id or an id the ledger does not hold. An id repeated in the
    /// list gets its entry at its first position only.
    public func planningEntries(system: String, externalIds: [String?]) async throws -> [PlanningEntry?] {
        var positions: [String: Int] = [:]
        positions.reserveCapacity(externalIds.count)
        var ids: [String] = []
        ids.reserveCapacity(externalIds.count)
        for (index, id) in externalIds.enumerated() {
            guard let id, positions[id] == nil else { continue }
            positions[id] = index
            ids.append(id)
        }
        guard !ids.isEmpty else { return Array(repeating: nil, count: externalIds.count) }
        let count = externalIds.count
        return try await writer.read { [ids, positions] db in
            // Straight through SQLite's C API: the ledger's own share of this query was small next
            // to GRDB's generic row decoding (metadata lookups, an existential per argument).
            var result = [PlanningEntry?](repeating: nil, count: count)
            var repeated = PlanningEntry.RepeatedTexts()
            var start = 0
            while start < ids.count {
                let end = min(start + Self.planningSlice, ids.count)
                let statement = try db.cachedStatement(sql: Self.planningSQL(count: end - start))
                let handle = statement.sqliteStatement
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
                defer { sqlite3_reset(handle) }
                try Self.bind(system, at: 1, in: handle, db: db)
                for (offset, id) in ids[start..<end].enumerated() {
                    try Self.bind(id, at: Int32(offset + 2), in: handle, db: db)
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
            return result
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
