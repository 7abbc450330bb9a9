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
            if let last, PlanningEntry.column(statement, column, equals: last) { return last }
            // Invalid UTF-8 is repaired here, so its bytes never match the next row's: read anew.
            let text = PlanningEntry.text(statement, column)
            last = text
            return text
        }
    }

    /// A column as text, nil for NULL (a number is read as its text, as SQLite converts it).
    static func text(_ statement: SQLiteStatement, _ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: max(0, count)), as: UTF8.self)
    }

    /// Whether a text column of the current row is `text`, compared in place (no string is made);
    /// false for NULL.
    static func column(_ statement: SQLiteStatement, _ column: Int32, equals text: String) -> Bool {
        guard let bytes = sqlite3_column_text(statement, column) else { return false }
        let count = Int(sqlite3_column_bytes(statement, column))
        var text = text
        return text.withUTF8 { expected in
            guard expected.count == count else { return false }
            // Two empty texts may have no address; equal lengths above zero have both.
            guard let base = expected.baseAddress, count > 0 else { return true }
            return memcmp(base, bytes, count) == 0
        }
    }
}
