import Foundation
public import GRDB

/// Reading an entry by column position. The Codable decoder looks every column up by name (22
/// hashed strings a row), which was most of the ledger's share of a nightly run over 500k
/// unchanged records; every query that fetches entries selects exactly `columnNames`, in order.
extension LedgerEntry {
    static let columnNames = [
        "system", "externalId", "state", "referralId", "engagementId", "needsConnected", "connectedReferralId",
        "connectedRequestId", "connectedPendingSince", "eTag", "status", "substatus", "payloadHash", "requestId",
        "pendingSince", "attempts", "lastError", "sourceLocation", "firstRunId", "lastRunId", "createdAt", "updatedAt",
        "sourceDigest", "sourceMapsTo",
    ]

    /// The selection for raw SQL.
    static let selectionSQL = columnNames.map { "\"\($0)\"" }.joined(separator: ", ")

    /// The selection for query-interface requests (`fetchOne(key:)`, `filter`, `order`).
    public static var databaseSelection: [any SQLSelectable] { columnNames.map { Column($0) } }

    /// Throws on a value it cannot read (an unknown state, a bad date written by hand or another
    /// tool) instead of trapping as `row[i]` would: a ledger from outside never crashes a run.
    public init(row: Row) throws {
        system = try row.decode(atIndex: 0)
        externalId = try row.decode(atIndex: 1)
        state = try row.decode(atIndex: 2)
        referralId = try row.decode(atIndex: 3)
        engagementId = try row.decode(atIndex: 4)
        needsConnected = try row.decode(atIndex: 5)
        connectedReferralId = try row.decode(atIndex: 6)
        connectedRequestId = try row.decode(atIndex: 7)
        connectedPendingSince = try row.decode(atIndex: 8)
        eTag = try row.decode(atIndex: 9)
        status = try row.decode(atIndex: 10)
        substatus = try row.decode(atIndex: 11)
        payloadHash = try row.decode(atIndex: 12)
        requestId = try row.decode(atIndex: 13)
        pendingSince = try row.decode(atIndex: 14)
        attempts = try row.decode(atIndex: 15)
        lastError = try row.decode(atIndex: 16)
        sourceLocation = try row.decode(atIndex: 17)
        firstRunId = try row.decode(atIndex: 18)
        lastRunId = try row.decode(atIndex: 19)
        createdAt = try row.decode(atIndex: 20)
        updatedAt = try row.decode(atIndex: 21)
        sourceDigest = try row.decode(atIndex: 22)
        sourceMapsTo = try row.decode(atIndex: 23)
    }
}
