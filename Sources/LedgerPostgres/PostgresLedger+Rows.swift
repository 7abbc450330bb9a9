import Foundation
import Ledger
import PostgresNIO

/// Entries and runs read by column position, in the SQLite ledger's column order.
extension PostgresLedger {
    static let entryColumns = [
        "system", "externalId", "state", "referralId", "engagementId", "needsConnected", "connectedReferralId",
        "connectedRequestId", "connectedPendingSince", "eTag", "status", "substatus", "payloadHash", "requestId",
        "pendingSince", "attempts", "lastError", "sourceLocation", "firstRunId", "lastRunId", "createdAt", "updatedAt",
        "sourceDigest", "sourceMapsTo",
    ]
    static let entrySelection = entrySelection(from: "e")
    static func entrySelection(from alias: String) -> String { entryColumns.map { "\(alias).\"\($0)\"" }.joined(separator: ", ") }

    /// Throws on a value it cannot read (an unknown state written by another tool) instead of trapping.
    /// - Parameter first: the position of the entry's first column in the row.
    static func entry(_ row: PostgresRow, from first: Int = 0) throws -> LedgerEntry {
        let all = row.makeRandomAccess()
        func cells(_ index: Int) -> PostgresCell { all[first + index] }
        let stateText = try cells(2).decode(String.self)
        guard let state = LedgerState(rawValue: stateText) else {
            throw PostgresLedgerError("the ledger holds an entry in an unknown state \(stateText): was it written by a newer refbridge?")
        }
        var entry = LedgerEntry(system: try cells(0).decode(String.self), externalId: try cells(1).decode(String.self), state: state)
        entry.referralId = try cells(3).decode(String?.self)
        entry.engagementId = try cells(4).decode(String?.self)
        entry.needsConnected = try cells(5).decode(Bool.self)
        entry.connectedReferralId = try cells(6).decode(String?.self)
        entry.connectedRequestId = try cells(7).decode(String?.self)
        entry.connectedPendingSince = try cells(8).decode(Date?.self)
        entry.eTag = try cells(9).decode(String?.self)
        entry.status = try cells(10).decode(String?.self)
        entry.substatus = try cells(11).decode(String?.self)
        entry.payloadHash = try cells(12).decode(String?.self)
        entry.requestId = try cells(13).decode(String?.self)
        entry.pendingSince = try cells(14).decode(Date?.self)
        entry.attempts = try cells(15).decode(Int.self)
        entry.lastError = try cells(16).decode(String?.self)
        entry.sourceLocation = try cells(17).decode(String?.self)
        entry.firstRunId = try cells(18).decode(Int64?.self)
        entry.lastRunId = try cells(19).decode(Int64?.self)
        entry.createdAt = try cells(20).decode(Date.self)
        entry.updatedAt = try cells(21).decode(Date.self)
        entry.sourceDigest = try cells(22).decode(String?.self)
        entry.sourceMapsTo = try cells(23).decode(String?.self)
        return entry
    }

    static let runSelection = #""id", "mode", "configDigest", "startedAt", "finishedAt", "exitCode", "aborted", "countsJSON""#

    static func run(_ row: PostgresRow) throws -> RunRecord {
        let cells = row.makeRandomAccess()
        return RunRecord(
            id: try cells[0].decode(Int64.self), mode: try cells[1].decode(String.self), configDigest: try cells[2].decode(String?.self),
            startedAt: try cells[3].decode(Date.self), finishedAt: try cells[4].decode(Date?.self), exitCode: try cells[5].decode(Int32?.self),
            aborted: try cells[6].decode(Bool.self), countsJSON: try cells[7].decode(String?.self))
    }

    func entries(_ query: PostgresQuery) async throws -> [LedgerEntry] {
        var result: [LedgerEntry] = []
        for try await row in try await client.query(query, logger: logger) { result.append(try Self.entry(row)) }
        return result
    }

    func entries(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [LedgerEntry] {
        var result: [LedgerEntry] = []
        for try await row in try await connection.query(query, logger: logger) { result.append(try Self.entry(row)) }
        return result
    }
}
