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
    ]

    /// The selection for raw SQL.
    static let selectionSQL = columnNames.map { "\"\($0)\"" }.joined(separator: ", ")

    /// The selection for query-interface requests (`fetchOne(key:)`, `filter`, `order`).
    public static var databaseSelection: [any SQLSelectable] { columnNames.map { Column($0) } }

    public init(row: Row) throws {
        system = row[0]
        externalId = row[1]
        state = row[2]
        referralId = row[3]
        engagementId = row[4]
        needsConnected = row[5]
        connectedReferralId = row[6]
        connectedRequestId = row[7]
        connectedPendingSince = row[8]
        eTag = row[9]
        status = row[10]
        substatus = row[11]
        payloadHash = row[12]
        requestId = row[13]
        pendingSince = row[14]
        attempts = row[15]
        lastError = row[16]
        sourceLocation = row[17]
        firstRunId = row[18]
        lastRunId = row[19]
        createdAt = row[20]
        updatedAt = row[21]
    }
}
