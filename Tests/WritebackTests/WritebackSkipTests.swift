import Foundation
@testable import Ledger
import Mapping
import Testing

@testable import Writeback

/// A write-back pass over a ledger where nothing it compares has changed reads no entry (issue #9):
/// the change counter and the mark of the last complete pass.
@Suite struct WritebackSkipTests {
    static let statusColumns = """
        writeback:
          format: dynamics-csv
          keyColumn: Lead
          columns:
            referralId: Partner Center Referral Id
            status: Partner Center Status
            substatus: Partner Center Substatus
            syncedOn: Partner Center Synced On
        """

    static func pass(_ ledger: LedgerDatabase, _ section: String = statusColumns, runId: Int64) async throws -> WritebackResult {
        let spec = try WritebackFormatTests.spec(section)
        return try await WritebackWriter(ledger: ledger, folder: WritebackFormatTests.folder(), candidatePage: 7)
            .run(targets: [WritebackTarget(spec)], runId: runId)
    }

    @Test func aPassWithNothingChangedReadsNoEntry() async throws {
        let ledger = try await WritebackFormatTests.ledger(records: 20)
        let first = try await Self.pass(ledger, runId: 2)
        #expect(first.updateRows == 20 && first.candidatesRead == 20)
        let quiet = try await Self.pass(ledger, runId: 3)
        #expect(quiet.updateRows == 0 && quiet.candidatesRead == 0 && quiet.files.isEmpty)

        // What the comparison never reads moves nothing: a new payload hash, a noted reject, a
        // pending mark of a record with no referral yet.
        try await ledger.writeRawForTests(sql: "UPDATE entry SET payloadHash = 'other', lastError = 'x', attempts = attempts + 1")
        try await ledger.recordRejected(system: "crm", externalId: "not-sent", reason: "no consent", sourceLocation: "a.csv:record 1", payloadHash: nil, runId: 4)
        try await ledger.markPending(system: "crm", externalId: "new", requestId: "r", payloadHash: "h", sourceLocation: nil, runId: 4, at: Date())
        #expect(try await Self.pass(ledger, runId: 4).candidatesRead == 0)
    }

    @Test func aStatusMoveIsWrittenAfterAQuietPass() async throws {
        let ledger = try await WritebackFormatTests.ledger(records: 20)
        _ = try await Self.pass(ledger, runId: 2)
        _ = try await Self.pass(ledger, runId: 3)
        try await ledger.recordUpdated(
            system: "crm", externalId: "7a1e0000-0000-4000-8000-000000000005", eTag: "\"f\"", status: "Closed", substatus: "Won", payloadHash: nil, runId: 4)
        let moved = try await Self.pass(ledger, runId: 4)
        #expect(moved.updateRows == 1 && moved.candidatesRead == 20)
        #expect(try await Self.pass(ledger, runId: 5).candidatesRead == 0)
    }

    @Test func aPulledMoveAndANewReferralAreWritten() async throws {
        let ledger = try await WritebackFormatTests.ledger(records: 5)
        _ = try await Self.pass(ledger, runId: 2)
        _ = try await ledger.recordPullPage(
            [RemoteObservation(referralId: "ref-3", direction: "Outgoing", status: "Closed", substatus: "Lost", statusReason: nil, eTag: "\"g\"", updatedDateTime: "2026-12-02T00:00:00Z", engagementId: "eng-3", json: nil)],
            runId: 3, highWaterMark: nil)
        #expect(try await Self.pass(ledger, runId: 3).updateRows == 1)
        try await ledger.recordCreated(
            system: "crm", externalId: "7a1e0000-0000-4000-8000-000000000099", referralId: "ref-99", engagementId: "eng-99", eTag: nil, status: "New",
            substatus: "Pending", payloadHash: "h", needsConnected: false, runId: 4)
        let created = try await Self.pass(ledger, runId: 4)
        #expect(created.updateRows == 1)
    }

    @Test func otherColumnsAreNotCoveredByTheMark() async throws {
        let ledger = try await WritebackFormatTests.ledger(records: 6)
        _ = try await Self.pass(ledger, runId: 2)
        // Renaming a column compares the same values: still current.
        let renamed = try await Self.pass(ledger, Self.statusColumns.replacingOccurrences(of: "Partner Center Status", with: "PC Status"), runId: 3)
        #expect(renamed.candidatesRead == 0 && renamed.updateRows == 0)
        // Another value compared: every entry is read, and every row differs.
        let engagement = try await Self.pass(
            ledger,
            """
            writeback:
              format: dynamics-csv
              columns:
                referralId: Partner Center Referral Id
                engagementId: Partner Center Engagement Id
            """, runId: 4)
        #expect(engagement.candidatesRead == 6 && engagement.updateRows == 6)
    }

    @Test func aFailedPassLeavesNoMark() async throws {
        let ledger = try await WritebackFormatTests.ledger(records: 4)
        let spec = try WritebackFormatTests.spec(Self.statusColumns)
        // A folder that cannot be made: the batch is committed, its file is not written.
        let blocker = WritebackFormatTests.folder()
        try Data("file".utf8).write(to: URL(fileURLWithPath: blocker))
        await #expect(throws: (any Error).self) {
            try await WritebackWriter(ledger: ledger, folder: blocker + "/sub").run(targets: [WritebackTarget(spec)], runId: 2)
        }
        let retry = try await Self.pass(ledger, runId: 3)
        #expect(retry.rewrittenBatches == 1 && retry.candidatesRead == 4 && retry.updateRows == 0)
    }
}
