import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Referrals
import Importers
import Mapping
import Sandbox
import Testing

import Pipeline

@testable import Sync
import Pipeline

@Suite struct SyncJobTests {
    @Test func createsEveryRecordOnceAndARerunCallsNothing() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(30, lost: [5, 6]))
        let first = try await harness.run()
        #expect(first.exitCode == 0)
        #expect(first.counts.read == 30 && first.counts.created == 28 && first.counts.skipped == 2 && first.counts.rejected == 0)
        let primaries = await harness.primaries()
        #expect(primaries.count == 28 && primaries.values.allSatisfy { $0.count == 1 })
        // Every fourth record is shared: its connected referral for Microsoft shares the engagement.
        let connected = await harness.connected()
        #expect(connected.count == 7)
        for (id, referrals) in connected {
            #expect(referrals.count == 1 && referrals[0].engagementId == primaries[id]?.first?.engagementId)
        }
        let ledger = try harness.ledger()
        let entry = try #require(try await ledger.entry(system: "test-leads", externalId: "crm-4"))
        #expect(entry.referralId == primaries["crm-4"]?.first?.id && entry.connectedReferralId == connected["crm-4"]?.first?.id)
        // The server accepted it at once: the ledger keeps what the server said, not what was sent.
        #expect(entry.status == "Active" && entry.eTag != nil)

        let calls = harness.sandbox.requestCounts().api
        let second = try await harness.run()
        #expect(second.exitCode == 0 && second.counts.created == 0 && second.counts.unchanged == 28 && second.apiCalls == 0)
        #expect(harness.sandbox.requestCounts().api == calls)
    }

    @Test func changedRecordsArePatchedAndOnlyThey() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(10))
        _ = try await harness.run()
        try harness.writeCSV(SyncHarness.rows(10, topic: { $0 == 3 ? "Bigger deal 3" : "Deal \($0)" }))
        let patchesBefore = harness.sandbox.requestCounts().patch
        let summary = try await harness.run()
        #expect(summary.counts.updated == 1 && summary.counts.unchanged == 9 && summary.counts.created == 0)
        #expect(harness.sandbox.requestCounts().patch == patchesBefore + 1)
        #expect(await harness.primaries()["crm-3"]?.first?.name == "Bigger deal 3")
        #expect(try await harness.ledger().entry(system: "test-leads", externalId: "crm-3")?.state == .updated)
    }

    @Test func dryRunPlansFromTheLedgerWithoutCallingOrWriting() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(8))
        _ = try await harness.run()
        try harness.writeCSV(SyncHarness.rows(10, topic: { $0 == 2 ? "Changed" : "Deal \($0)" }))
        let calls = harness.sandbox.requestCounts().api
        let plan = try await harness.run(dryRun: true)
        #expect(plan.dryRun && plan.counts.created == 2 && plan.counts.updated == 1 && plan.counts.unchanged == 7)
        #expect(harness.sandbox.requestCounts().api == calls)
        #expect(try await harness.ledger().entry(system: "test-leads", externalId: "crm-9") == nil)
    }

    @Test func reportsListEveryRecordWithItsOutcome() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        var rows = SyncHarness.rows(6, lost: [2])
        rows[3][5] = "maybe"  // consent neither yes nor no: rejected, never defaulted
        rows.append(rows[0])  // the same id twice
        try harness.writeCSV(rows)
        let summary = try await harness.run()
        #expect(summary.exitCode == 1)
        #expect(summary.counts.read == 7 && summary.counts.created == 4 && summary.counts.skipped == 1 && summary.counts.rejected == 2 && summary.counts.duplicates == 1)
        let success = try harness.csvRows("success.csv", in: summary)
        let errors = try harness.csvRows("errors.csv", in: summary)
        #expect(success.count + errors.count == summary.counts.read)
        #expect(errors.contains { $0[0] == "crm-4" && $0.joined().contains("consent") })
        #expect(errors.contains { $0[0] == "crm-1" && $0.joined().contains("duplicate") })
        #expect(await harness.primaries()["crm-1"]?.count == 1)
    }

    @Test func aRejectIsNotedOnceAndAnUnchangedRejectCostsNoWrite() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        var rows = SyncHarness.rows(4)  // crm-1 … crm-4
        rows[1][5] = "maybe"
        rows[2][5] = "maybe"
        try harness.writeCSV(rows)
        let first = try await harness.run()
        #expect(first.counts.rejected == 2 && first.counts.created == 2)
        let ledger = try harness.ledger()
        let noted = try #require(try await ledger.entry(system: "test-leads", externalId: "crm-2"))
        #expect(noted.state == .rejected && noted.lastError?.contains("consent") == true && noted.lastRunId == first.runId)

        let second = try await harness.run()
        #expect(second.counts.rejected == 2 && second.counts.unchanged == 2 && second.apiCalls == 0)
        let again = try #require(try await ledger.entry(system: "test-leads", externalId: "crm-2"))
        // Same reason, same record: the entry was not written again; nor was an unchanged record's.
        #expect(again.updatedAt == noted.updatedAt && again.lastRunId == first.runId)
        let created = try #require(try await ledger.entry(system: "test-leads", externalId: "crm-1"))
        #expect(created.lastRunId == first.runId)
    }

    @Test func aLostCreateResponseIsFoundByListingNotSentTwice() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(3))
        // As if an earlier run was killed after its POST reached the server: pending in the ledger
        // (with the hash of what it sent), present on the server.
        let spec = try MappingSpec.parse(yaml: SyncHarness.mapping, file: "mapping.yaml")
        let row = SyncHarness.rows(3)[1]
        let record = SourceRecord(location: SourceLocation(file: "leads.csv", record: 2), names: ["id", "topic", "company", "country", "hot", "consent", "value", "status"], values: row.map { .string($0) })
        guard case .mapped(let mapped) = Mapper(spec).map(record) else {
            Issue.record("the test row does not map")
            return
        }
        let ledger = try harness.ledger()
        try await ledger.markPending(system: "test-leads", externalId: "crm-2", requestId: "req-2", payloadHash: PayloadHash.of(ReferralJSON.encode(mapped.referral)), sourceLocation: nil, runId: nil, at: Date().addingTimeInterval(-60))
        _ = try await harness.post(mapped.referral)
        let summary = try await harness.run()
        #expect(summary.exitCode == 0)
        #expect(summary.counts.reconciled == 1 && summary.counts.created == 3)
        #expect(await harness.primaries().values.allSatisfy { $0.count == 1 })
        #expect(await harness.primaries().count == 3)
    }

    @Test func aRunKilledBetweenTheSharedStepsFinishesOnlyTheSecond() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(4))
        // crm-4 is shared. The earlier run created and recorded the shared referral, then died.
        var shared = try #require(SyncHarness.rowsReferral("crm-4"))
        shared.type = .shared
        shared.target = [ReferralTarget(type: .solutionProfile, id: "SOL-1")]
        let created = try await harness.post(shared)
        let ledger = try harness.ledger()
        try await ledger.recordCreated(system: "test-leads", externalId: "crm-4", referralId: created.id!, engagementId: created.engagementId, eTag: created.eTag, status: "Active", substatus: "Accepted", payloadHash: "old", needsConnected: true, runId: nil)
        let createsBefore = harness.sandbox.requestCounts().create
        let summary = try await harness.run()
        #expect(summary.exitCode == 0)
        // Three new primaries and one connected referral; the shared one is not created again.
        #expect(harness.sandbox.requestCounts().create == createsBefore + 4)
        #expect(await harness.primaries()["crm-4"]?.count == 1)
        #expect(await harness.connected()["crm-4"]?.first?.engagementId == created.engagementId)
    }

    @Test func faultsAtTenPercentStillCreateEachRecordExactlyOnce() async throws {
        let harness = try await SyncHarness.start {
            $0.faultRate = 0.1
            $0.seed = 7
        }
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(120))
        var summary = try await harness.run()
        var runs = 1
        while summary.exitCode != 0, runs < 5 {
            summary = try await harness.run()
            runs += 1
        }
        #expect(summary.exitCode == 0)
        let primaries = await harness.primaries()
        #expect(primaries.count == 120)
        #expect(primaries.values.allSatisfy { $0.count == 1 }, "duplicates: \(primaries.filter { $0.value.count > 1 }.keys.sorted())")
        let connected = await harness.connected()
        #expect(connected.count == 30 && connected.values.allSatisfy { $0.count == 1 })
        let ledger = try harness.ledger()
        let entries = try await ledger.entries(system: "test-leads", externalIds: (1...120).map { "crm-\($0)" })
        #expect(entries.values.allSatisfy { $0.referralId == primaries[$0.externalId]?.first?.id })
    }

    @Test func anAPIThatIsDownAbortsWithExitCode3() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(12))
        await harness.sandbox.shutdown()
        var job = try harness.job()
        job.upload.attempts = 2
        let summary = try await SyncHarness.run(job)
        #expect(summary.exitCode == 3)
        #expect(summary.abortReason != nil)
        #expect(summary.counts.created == 0)
    }
}

extension SyncHarness {
    static func rowsReferral(_ id: String) -> Referral? {
        Referral(
            name: "Deal \(id.dropFirst(4))", externalReferenceId: id, type: .independent,
            customerProfile: CustomerProfile(name: "Company", address: Address(country: "GB")),
            consent: Consent(consentToToShareInfoWithOthers: true, consentToContact: true),
            details: ReferralDetails(notes: "x", dealValue: 1, currency: "USD"))
    }

    /// Creates a referral directly in the sandbox, as an earlier run would have.
    func post(_ referral: Referral) async throws -> Referral {
        var request = URLRequest(url: URL(string: sandbox.baseURL + "/engagements/referrals")!)
        request.httpMethod = "POST"
        request.httpBody = Data(ReferralJSON.encode(referral))
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer test-token", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        return try ReferralJSON.decode(data)
    }
}
