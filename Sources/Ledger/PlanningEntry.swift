public import GRDB

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

    public init(
        state: LedgerState, referralId: String? = nil, engagementId: String? = nil, needsConnected: Bool = false, connectedReferralId: String? = nil,
        status: String? = nil, substatus: String? = nil, payloadHash: String? = nil, lastError: String? = nil
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
    }

    public init(_ entry: LedgerEntry) {
        self.init(
            state: entry.state, referralId: entry.referralId, engagementId: entry.engagementId, needsConnected: entry.needsConnected,
            connectedReferralId: entry.connectedReferralId, status: entry.status, substatus: entry.substatus, payloadHash: entry.payloadHash,
            lastError: entry.lastError)
    }

    /// The columns read, in order; the id first, to place each row.
    static let selectionSQL = "externalId, state, referralId, engagementId, needsConnected, connectedReferralId, status, substatus, payloadHash, lastError"

    /// Throws on a value it cannot read (an unknown state written by another tool) instead of trapping.
    init(row: Row) throws {
        state = try row.decode(atIndex: 1)
        referralId = try row.decode(atIndex: 2)
        engagementId = try row.decode(atIndex: 3)
        needsConnected = try row.decode(atIndex: 4)
        connectedReferralId = try row.decode(atIndex: 5)
        status = try row.decode(atIndex: 6)
        substatus = try row.decode(atIndex: 7)
        payloadHash = try row.decode(atIndex: 8)
        lastError = try row.decode(atIndex: 9)
    }
}

extension LedgerDatabase {
    /// Ids looked up per statement: under SQLite's variable limit, and one prepared statement
    /// reused for every full slice.
    static let planningSlice = 500

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
            var result = [PlanningEntry?](repeating: nil, count: count)
            var start = 0
            while start < ids.count {
                let end = min(start + Self.planningSlice, ids.count)
                let statement = try db.cachedStatement(
                    sql: "SELECT \(PlanningEntry.selectionSQL) FROM entry WHERE system = ? AND externalId IN (\(databaseQuestionMarks(count: end - start)))")
                var arguments: [(any DatabaseValueConvertible)?] = [system]
                arguments.reserveCapacity(end - start + 1)
                for id in ids[start..<end] { arguments.append(id) }
                let rows = try Row.fetchCursor(statement, arguments: StatementArguments(arguments))
                while let row = try rows.next() {
                    let id: String = try row.decode(atIndex: 0)
                    guard let position = positions[id] else { continue }
                    result[position] = try PlanningEntry(row: row)
                }
                start = end
            }
            return result
        }
    }
}
