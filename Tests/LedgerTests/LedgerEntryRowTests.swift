import Foundation
import GRDB
import Testing

@testable import Ledger

struct LedgerEntryRowTests {
    /// An entry with every field set to a value of its own, dates on whole milliseconds (what the
    /// database keeps).
    static func everyFieldSet() -> LedgerEntry {
        var entry = LedgerEntry(system: "sys", externalId: "ext", state: .updated, at: Date(timeIntervalSince1970: 1_700_000_000.125))
        entry.referralId = "ref"
        entry.engagementId = "eng"
        entry.needsConnected = true
        entry.connectedReferralId = "con"
        entry.connectedRequestId = "con-req"
        entry.connectedPendingSince = Date(timeIntervalSince1970: 1_700_000_001.5)
        entry.eTag = "\"e\""
        entry.status = "Active"
        entry.substatus = "Accepted"
        entry.payloadHash = "hash"
        entry.requestId = "req"
        entry.pendingSince = Date(timeIntervalSince1970: 1_700_000_002.25)
        entry.attempts = 3
        entry.lastError = "boom"
        entry.sourceLocation = "x.csv:record 1"
        entry.firstRunId = 4
        entry.lastRunId = 5
        entry.updatedAt = Date(timeIntervalSince1970: 1_700_000_003.75)
        return entry
    }

    @Test func everyFieldSurvivesAWriteAndEveryRead() async throws {
        let ledger = try LedgerDatabase.inMemory()
        let entry = Self.everyFieldSet()
        try await ledger.writer.write { db in try entry.insert(db) }
        #expect(try await ledger.entry(system: "sys", externalId: "ext") == entry)
        #expect(try await ledger.entries(system: "sys", externalIds: ["ext", "other"]) == ["ext": entry])
        #expect(try await ledger.find(externalId: "ext") == [entry])
        #expect(try await ledger.planningEntries(system: "sys", externalIds: [nil, "other", "ext"]) == [nil, nil, PlanningEntry(entry)])
    }

    /// Planning reads each id's entry by position, over several statements, for ids given twice
    /// (at the first position only) and for none.
    @Test func planningEntriesArePlacedByPosition() async throws {
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.writeRawForTests(
            sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1199)
                INSERT INTO entry (system, externalId, state, referralId, needsConnected, payloadHash, attempts, createdAt, updatedAt)
                SELECT 's', 'id-' || i, 'created', 'ref-' || i, 0, 'h' || i, 0, '2026-12-01 00:00:00.000', '2026-12-01 00:00:00.000' FROM n
                """)
        var ids: [String?] = (0..<1_300).reversed().map { "id-\($0)" }
        ids.insert(nil, at: 7)
        ids.append("id-5")
        let found = try await ledger.planningEntries(system: "s", externalIds: ids)
        #expect(found.count == ids.count)
        for (id, entry) in zip(ids, found).dropLast() {
            guard let id, let number = Int(id.dropFirst(3)), number < 1_200 else {
                #expect(entry == nil)
                continue
            }
            #expect(entry?.referralId == "ref-\(number)" && entry?.payloadHash == "h\(number)" && entry?.state == .created)
        }
        #expect(found.last! == nil)
        #expect(try await ledger.planningEntries(system: "other", externalIds: ids).allSatisfy { $0 == nil })
        #expect(try await ledger.planningEntries(system: "s", externalIds: []).isEmpty)
    }

    @Test func theSelectionIsTheTableInOrder() async throws {
        let ledger = try LedgerDatabase.inMemory()
        let columns = try await ledger.writer.read { db in try db.columns(in: "entry").map(\.name) }
        // Besides the claim of a shared ledger (v4-claims), which an entry does not carry.
        let claim = ["claimedBy", "claimedUntil"]
        #expect(columns.filter { !claim.contains($0) } == LedgerEntry.columnNames)
        #expect(Set(columns).isSuperset(of: claim))
    }
}

@Suite struct LedgerFromOutsideTests {
    /// A row another tool wrote: an unknown state, a date that is no date. Reading it fails with an
    /// error; it never traps.
    @Test func anUnreadableRowIsAnErrorNotACrash() async throws {
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.markPending(system: "s", externalId: "a", requestId: "r", payloadHash: nil, sourceLocation: nil, runId: 1, at: Date())
        try await ledger.writeRawForTests(sql: "UPDATE entry SET state = 'exploded', pendingSince = 'not a date'")
        await #expect(throws: (any Error).self) { _ = try await ledger.entries(system: "s", externalIds: ["a"]) }
        await #expect(throws: (any Error).self) { _ = try await ledger.planningEntries(system: "s", externalIds: ["a"]) }
        await #expect(throws: (any Error).self) { _ = try await ledger.unresolved(system: nil) }
    }
}
