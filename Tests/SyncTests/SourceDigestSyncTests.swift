import Foundation
import Ledger
import Mapping
import Pipeline
import Referrals
import Testing

@testable import Sync

/// A nightly run settles a record whose source content is unchanged from the ledger, without
/// mapping it (issues #9 and #16): with the same outcomes as mapping it would give, and never for
/// a record whose content changed, even back to what it was.
@Suite struct SourceDigestSyncTests {
    /// Outcomes of the record stream given the ledger, by id: "same", "same: <reason>", "mapped",
    /// "rejected", "skipped".
    static func streamOutcomes(_ harness: SyncHarness) async throws -> [String: String] {
        let ledger = try harness.ledger()
        let spec = try MappingSpec.load(path: harness.folder + "/mapping.yaml")
        let stream = try RecordStream(sources: [StreamSource(files: [harness.folder + "/leads.csv"], spec: spec)], ledger: ledger)
        var outcomes: [String: String] = [:]
        while let chunk = try await stream.next() {
            #expect(chunk.entries?.count == chunk.records.count)
            for record in chunk.records {
                let kind: String
                switch record.outcome {
                case .sameAsLedger(let reason): kind = reason.map { "same: " + $0 } ?? "same"
                case .mapped: kind = "mapped"
                case .rejected: kind = "rejected"
                case .skipped: kind = "skipped"
                }
                outcomes[record.externalId ?? "-"] = kind
            }
        }
        return outcomes
    }

    static func rows() -> [[String]] {
        var rows = SyncHarness.rows(8, lost: [7])
        rows[1][5] = "maybe"  // crm-2: consent neither yes nor no, rejected by the mapping
        return rows
    }

    @Test func anUnchangedRecordIsSettledFromTheLedgerWithTheSameOutcome() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(Self.rows())
        let first = try await harness.run()
        #expect(first.counts.created == 6 && first.counts.rejected == 1 && first.counts.skipped == 1)
        // Created in this run: nothing is noted before the entry exists, so all is mapped again;
        // a new reject is noted with its content in its own write.
        let afterFirst = try await Self.streamOutcomes(harness)
        #expect(afterFirst.values.allSatisfy { $0 != "same" })
        #expect(afterFirst["crm-2"]?.hasPrefix("same: ") == true)

        let second = try await harness.run()
        #expect(second.counts.unchanged == 6 && second.counts.rejected == 1 && second.counts.skipped == 1 && second.apiCalls == 0)
        let ledger = try harness.ledger()
        let created = try #require(try await ledger.entry(system: "test-leads", externalId: "crm-1"))
        #expect(created.sourceDigest?.count == 32 && created.sourceMapsTo == created.payloadHash)
        let refused = try #require(try await ledger.entry(system: "test-leads", externalId: "crm-2"))
        #expect(refused.sourceMapsTo?.hasPrefix("rejected:") == true)

        let outcomes = try await Self.streamOutcomes(harness)
        #expect(outcomes.filter { $0.value == "same" }.count == 6)
        #expect(outcomes["crm-2"]?.hasPrefix("same: ") == true && outcomes["crm-2"]?.contains("consent") == true)
        #expect(outcomes["crm-7"] == "skipped")

        // Settled from the ledger: the same counts, the same report, no call, no write.
        let third = try await harness.run()
        #expect(third.counts.unchanged == 6 && third.counts.rejected == 1 && third.counts.skipped == 1 && third.apiCalls == 0)
        #expect(try harness.csvRows("errors.csv", in: third) == harness.csvRows("errors.csv", in: second))
        #expect(try harness.csvRows("success.csv", in: third).count == harness.csvRows("success.csv", in: second).count)
        let after = try #require(try await ledger.entry(system: "test-leads", externalId: "crm-1"))
        #expect(after.updatedAt == created.updatedAt)
    }

    @Test func aChangeAndItsReturnToTheOldValueAreBothSent() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(6))
        _ = try await harness.run()
        _ = try await harness.run()  // notes the digests
        try harness.writeCSV(SyncHarness.rows(6, topic: { $0 == 3 ? "Bigger deal 3" : "Deal \($0)" }))
        let changed = try await harness.run()
        #expect(changed.counts.updated == 1 && changed.counts.unchanged == 5)
        #expect(await harness.primaries()["crm-3"]?.first?.name == "Bigger deal 3")
        // Back to the content the ledger noted first: the entry holds the new payload now, so the
        // old note does not settle it.
        try harness.writeCSV(SyncHarness.rows(6))
        let back = try await harness.run()
        #expect(back.counts.updated == 1 && back.counts.unchanged == 5)
        #expect(await harness.primaries()["crm-3"]?.first?.name == "Deal 3")
        let quiet = try await harness.run()
        #expect(quiet.counts.unchanged == 6 && quiet.apiCalls == 0)
    }

    @Test func anEditedMappingMapsEveryRecordAgain() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(SyncHarness.rows(4))
        _ = try await harness.run()
        _ = try await harness.run()
        #expect(try await Self.streamOutcomes(harness).values.allSatisfy { $0 == "same" })
        try (SyncHarness.mapping + "\n# edited\n").write(toFile: harness.folder + "/mapping.yaml", atomically: true, encoding: .utf8)
        #expect(try await Self.streamOutcomes(harness).values.allSatisfy { $0 == "mapped" })
        let run = try await harness.run()
        #expect(run.counts.unchanged == 4 && run.apiCalls == 0)
        #expect(try await Self.streamOutcomes(harness).values.allSatisfy { $0 == "same" })
    }

    @Test func aDryRunSettlesLikeARunAndWritesNothing() async throws {
        let harness = try await SyncHarness.start()
        defer { Task { await harness.shutdown() } }
        try harness.writeCSV(Self.rows())
        _ = try await harness.run()
        _ = try await harness.run()
        try harness.writeCSV(Self.rows().map { $0[0] == "crm-5" ? $0.enumerated().map { $0.offset == 1 ? "Changed" : $0.element } : $0 })
        let plan = try await harness.run(dryRun: true)
        #expect(plan.counts.unchanged == 5 && plan.counts.updated == 1 && plan.counts.rejected == 1 && plan.counts.skipped == 1)
    }
}

/// When the ledger settles a record without mapping it, and when it does not.
@Suite struct SettlesTests {
    static let digest = SourceDigest(high: 1, low: 2)

    static func entry(_ change: (inout PlanningEntry) -> Void) -> PlanningEntry {
        var entry = PlanningEntry(state: .created, referralId: "r", payloadHash: "p", sourceDigest: digest.hex, sourceMapsTo: "p")
        change(&entry)
        return entry
    }

    static func settled(_ outcome: StreamRecord.Outcome?) -> String {
        switch outcome {
        case nil: "map"
        case .sameAsLedger(let reason)?: reason ?? "same"
        default: "other"
        }
    }

    @Test func onlyWhatTheEntryHoldsNowAndNothingLeftToSend() {
        #expect(Self.settled(Self.entry { _ in }.settles(Self.digest)) == "same")
        // Another content, or content that mapped to another payload than the one held now.
        #expect(Self.settled(Self.entry { _ in }.settles(SourceDigest(high: 1, low: 3))) == "map")
        #expect(Self.settled(Self.entry { $0.payloadHash = "q" }.settles(Self.digest)) == "map")
        #expect(Self.settled(Self.entry { $0.sourceDigest = nil }.settles(Self.digest)) == "map")
        // A shared referral whose connected step is still to do needs the mapped referral.
        #expect(Self.settled(Self.entry { $0.needsConnected = true }.settles(Self.digest)) == "map")
        #expect(Self.settled(Self.entry { $0.needsConnected = true; $0.connectedReferralId = "c" }.settles(Self.digest)) == "same")
        // Never created: a pending or failed create must be sent; a payload the API refused is not.
        #expect(Self.settled(Self.entry { $0.referralId = nil; $0.state = .pending }.settles(Self.digest)) == "map")
        #expect(Self.settled(Self.entry { $0.referralId = nil; $0.state = .failed }.settles(Self.digest)) == "map")
        #expect(Self.settled(Self.entry { $0.referralId = nil; $0.state = .rejected }.settles(Self.digest)) == "same")
    }

    @Test func aMappingRejectOnlyForTheReasonTheEntryStillHolds() {
        let reject = Self.entry {
            $0.referralId = nil
            $0.state = .rejected
            $0.payloadHash = nil
            $0.lastError = "consent: 'maybe' is not in the mapping's map"
            $0.sourceMapsTo = SourceMapsTo.rejected(reason: "consent: 'maybe' is not in the mapping's map")
        }
        #expect(Self.settled(reject.settles(Self.digest)) == "consent: 'maybe' is not in the mapping's map")
        var overwritten = reject
        overwritten.lastError = "HTTP 500"
        #expect(Self.settled(overwritten.settles(Self.digest)) == "map")
        // Left pending by a create that was killed: mapped, so that the reject is written over it.
        var pending = reject
        pending.state = .pending
        #expect(Self.settled(pending.settles(Self.digest)) == "map")
        // A created referral whose record the mapping now refuses keeps its referral id.
        var created = reject
        created.referralId = "r"
        created.state = .created
        #expect(Self.settled(created.settles(Self.digest)) == "consent: 'maybe' is not in the mapping's map")
    }
}
