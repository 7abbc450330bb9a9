import Foundation
import Importers
import Ledger
import Mapping
import PartnerClient
import Referrals

@testable import Pipeline
import Testing

@testable import Sync

/// The planner decides from the ledger alone: no I/O, so every case is a plain value test.
@Suite struct SyncPlannerTests {
    static func entry(_ configure: (inout LedgerEntry) -> Void) -> PlanningEntry {
        var entry = LedgerEntry(system: "s", externalId: "a", state: .created)
        configure(&entry)
        return PlanningEntry(entry)
    }

    @Test func aRecordTheLedgerDoesNotKnowIsCreated() {
        #expect(SyncPlanner(mode: .sync).plan(payloadHash: "h", entry: nil) == .create)
    }

    @Test func anUnresolvedCreateIsSentAgainAndARejectedOneIsNot() {
        let pending = Self.entry { $0.state = .pending; $0.pendingSince = Date(); $0.payloadHash = "h" }
        #expect(SyncPlanner(mode: .sync).plan(payloadHash: "h", entry: pending) == .create)
        let rejected = Self.entry { $0.state = .rejected; $0.payloadHash = "h"; $0.lastError = "no" }
        #expect(SyncPlanner(mode: .sync).plan(payloadHash: "h", entry: rejected) == .rejectedBefore(reason: "no"))
        // Changed since it was rejected: worth another try.
        #expect(SyncPlanner(mode: .sync).plan(payloadHash: "h2", entry: rejected) == .create)
    }

    @Test func changesAreUpdatesOnlyInSyncMode() {
        let created = Self.entry { $0.referralId = "r"; $0.payloadHash = "h" }
        #expect(SyncPlanner(mode: .sync).plan(payloadHash: "h", entry: created) == .unchanged)
        #expect(SyncPlanner(mode: .sync).plan(payloadHash: "h2", entry: created) == .update)
        #expect(SyncPlanner(mode: .createOnly).plan(payloadHash: "h2", entry: created) == .changedButCreateOnly)
    }

    @Test func aSharedReferralFinishesItsConnectedStepFirst() {
        let shared = Self.entry { $0.referralId = "r"; $0.payloadHash = "h"; $0.needsConnected = true }
        #expect(SyncPlanner(mode: .sync).plan(payloadHash: "h", entry: shared) == .finishConnected(thenUpdate: false))
        #expect(SyncPlanner(mode: .sync).plan(payloadHash: "h2", entry: shared) == .finishConnected(thenUpdate: true))
        #expect(SyncPlanner(mode: .createOnly).plan(payloadHash: "h2", entry: shared) == .finishConnected(thenUpdate: false))
    }

    @Test func closedReferralsAreLeftAloneButForAnAllowedClosedToClosedMove() {
        let lost = Self.entry { $0.referralId = "r"; $0.payloadHash = "h"; $0.status = "Closed"; $0.substatus = "Lost" }
        let planner = SyncPlanner(mode: .sync)
        #expect(planner.plan(payloadHash: "h2", entry: lost) == .closed)
        // Won in the CRM after it was lost in Partner Center: the table allows Closed/Lost → Closed/Won.
        #expect(planner.plan(payloadHash: "h2", entry: lost, desired: (.closed, .won)) == .update)
        #expect(planner.plan(payloadHash: "h2", entry: lost, desired: (.closed, .lost)) == .closed)
        // Closed never reopens, and create-only never updates.
        #expect(planner.plan(payloadHash: "h2", entry: lost, desired: (.active, .accepted)) == .closed)
        #expect(SyncPlanner(mode: .createOnly).plan(payloadHash: "h2", entry: lost, desired: (.closed, .won)) == .closed)
    }

    @Test func aChunkPlansEveryRecordOnce() throws {
        let spec = try MappingSpec.parse(yaml: """
            name: s
            key: id
            fields:
              customerProfile.name: company
              customerProfile.address.country: { const: GB }
              consent.consentToToShareInfoWithOthers: { const: true }
              consent.consentToContact: { const: false }
              details.notes: { const: n }
              type: { const: Independent }
            """, file: "m.yaml")
        let mapper = Mapper(spec)
        func record(_ id: String, _ company: String, _ number: Int) -> StreamRecord {
            RecordStream.record(of: .record(SourceRecord(location: SourceLocation(file: "f.csv", record: number), names: ["id", "company"], values: [.string(id), .string(company)])), mapper: mapper, keepSource: false)
        }
        var skipped = StreamRecord(location: SourceLocation(file: "f.csv", record: 5), externalId: "e", outcome: .skipped(reason: "lost lead"))
        skipped.source = nil
        let refused = StreamRecord(
            location: SourceLocation(file: "f.csv", record: 6), externalId: "d",
            outcome: .rejected(issues: [MappingIssue(field: "consent", message: "no")], isDuplicate: false))
        let records = [record("a", "A", 1), record("b", "B", 2), record("c", "C", 3), record("", "D", 4), skipped, refused]
        guard case .mapped(let b) = records[1].outcome else { Issue.record("b must map"); return }
        let entries = [
            nil,
            Self.entry { $0.externalId = "b"; $0.referralId = "rb"; $0.payloadHash = b.payloadHash },
            Self.entry { $0.externalId = "c"; $0.referralId = "rc"; $0.payloadHash = "old" },
            nil, nil, nil,
        ]
        let chunk = RecordChunk(sourceIndex: 0, system: "s", records: records, bytesRead: 0)
        var rejects: [LedgerDatabase.Reject] = []
        var notes: [SourceDigestNote] = []
        let planned = try SyncPlanner(mode: .sync).plan(chunk, entries: entries, reconciled: [RecordKey(system: "s", externalId: "b")], newRejects: &rejects, digestNotes: &notes)
        // Rejected with an id: noted in the ledger (without one, there is no entry to note it in).
        #expect(rejects.map(\.externalId) == ["d"])
        #expect(planned.count == 6)
        // One entry slot per record, or nothing is planned: a record planned without its entry
        // would be created twice.
        #expect(throws: LedgerError.self) { try SyncPlanner(mode: .sync).plan(chunk, entries: [nil], reconciled: [], newRejects: &rejects, digestNotes: &notes) }
        func kind(_ step: PlannedStep) -> String {
            switch step {
            case .settled(let outcome): "\(outcome.kind.rawValue)\(outcome.reconciled ? " reconciled" : "")"
            case .upload(let work): "upload \(work.action)"
            }
        }
        #expect(planned.map(kind) == ["upload create", "created reconciled", "upload update", "rejected", "skipped", "rejected"])
    }
}

@Suite struct ReconcileMatcherTests {
    static func item(_ id: String, _ step: UncertainCreate.Step, engagement: String? = nil, since: Date = Date(timeIntervalSince1970: 10_000)) -> UncertainCreate {
        UncertainCreate(key: RecordKey(system: "s", externalId: id), step: step, requestId: "r-\(id)", since: since, engagementId: engagement, source: "f:1", lastError: "lost")
    }

    @Test func primariesAndConnectedStepsMatchTheirOwnKind() {
        var matcher = ReconcileMatcher([Self.item("a", .primary), Self.item("a", .connected, engagement: "e1"), Self.item("b", .primary)])
        let created = APIDateTime(Date(timeIntervalSince1970: 10_001))
        let considered1 = matcher.consider(Referral(id: "conn", engagementId: "e1", externalReferenceId: "a", createdDateTime: created, target: [.microsoft]))
        #expect(considered1)
        let considered2 = matcher.consider(Referral(id: "other-engagement", engagementId: "e9", externalReferenceId: "a", createdDateTime: created, target: [.microsoft]))
        #expect(considered2)
        let considered3 = matcher.consider(Referral(id: "prim", engagementId: "e1", externalReferenceId: "a", createdDateTime: created))
        #expect(considered3)
        let (found, missing) = matcher.result
        #expect(found.map { "\($0.item.key.externalId) \($0.item.step) \($0.referral.id ?? "")" }.sorted() == ["a connected conn", "a primary prim"])
        #expect(missing.map(\.key.externalId) == ["b"])
        #expect(!matcher.isComplete)
    }

    @Test func listingStopsPastTheHorizon() {
        var matcher = ReconcileMatcher([Self.item("a", .primary)])
        let old = APIDateTime(Date(timeIntervalSince1970: 10_000 - Reconciler.clockSkewMargin - 1))
        let considered4 = matcher.consider(Referral(id: "x", externalReferenceId: "a", createdDateTime: old))
        #expect(!considered4)
        #expect(matcher.result.missing.count == 1)
    }
}

@Suite struct ReferralPatchTests {
    static func referral(notes: String, value: Double? = nil, status: ReferralStatus? = nil) -> Referral {
        Referral(
            name: "Deal", externalReferenceId: "a", status: status, type: .independent,
            customerProfile: CustomerProfile(name: "Fabrikam", address: Address(country: "GB")),
            consent: Consent(consentToToShareInfoWithOthers: true, consentToContact: true),
            details: ReferralDetails(notes: notes, dealValue: value, currency: value == nil ? nil : "USD"))
    }

    @Test func onlyWhatTheMappingChangedIsPatched() {
        var server = Self.referral(notes: "old", value: 5)
        server.id = "r"
        server.eTag = "\"1\""
        let patch = ReferralPatch(from: server, to: Self.referral(notes: "new", value: 5))
        #expect(patch.operations == [JSONPatchOperation(op: "replace", path: "/details/notes", value: .string("new"))])
    }

    @Test func aFieldTheServerLacksIsAdded() {
        let patch = ReferralPatch(from: Self.referral(notes: "n"), to: Self.referral(notes: "n", value: 7))
        #expect(patch.operations.contains { $0.op == "add" && $0.path == "/details/dealValue" })
    }

    @Test func aStatusMoveTheContractForbidsIsANoteNotAnOperation() {
        let patch = ReferralPatch(from: Self.referral(notes: "n", status: .closed), to: Self.referral(notes: "n", status: .active))
        #expect(patch.operations.isEmpty)
        #expect(patch.notes.first?.contains("not allowed") == true)
    }
}

@Suite struct JobConfigurationTests {
    static func parse(_ yaml: String) throws -> JobConfiguration { try JobConfiguration.parse(yaml: yaml, file: "/jobs/job.yaml") }

    @Test func relativePathsStartAtTheJobFilesFolder() throws {
        let job = try Self.parse("api: sandbox\nledger: state/ledger.sqlite\nsources:\n  - path: in/*.csv\n    mapping: ../m.yaml\n    allowEmpty: true\n")
        #expect(job.ledgerPath == "/jobs/state/ledger.sqlite")
        #expect(job.sources.first?.path == "/jobs/in/*.csv" && job.sources.first?.mapping == "/m.yaml" && job.sources.first?.allowEmpty == true)
    }

    @Test func authIsDecodedAtLoad() throws {
        let job = try Self.parse("api:\n  baseURL: https://api.example/v1.0/\n  auth:\n    tokenEnv: TOKEN\nsources:\n  - {path: a.csv, mapping: m.yaml}\n")
        guard case .remote(let base, let auth) = job.api else { Issue.record("remote expected"); return }
        #expect(base == "https://api.example/v1.0" && auth.tokenEnv == "TOKEN")
    }

    @Test func everyProblemIsReportedOnceWithItsPlace() {
        #expect {
            try Self.parse("api:\n  baseURL: https://x\n  auth:\n    tokenEnvv: X\nsources: []\nupload:\n  timeoutSeconds: .inf\n  speed: 3\n")
        } throws: { error in
            let text = "\(error)"
            let lines = text.split(separator: "\n")
            return lines.count == 4 && text.contains("/jobs/job.yaml:4:5: api.auth is not valid")
                && text.contains("upload.timeoutSeconds must be") && text.contains("unknown key upload.speed")
                && text.contains("sources must be a list") && !text.contains("job.yaml: /jobs/job.yaml")
        }
    }

    @Test func invalidYAMLSaysWhere() {
        #expect {
            try Self.parse("api: sandbox\nsources: [\n")
        } throws: { error in
            "\(error)".hasPrefix("/jobs/job.yaml:3:") && "\(error)".split(separator: "\n").count == 1
        }
    }

    @Test func anAliasBombInAuthIsNotExpanded() throws {
        // A billion laughs: each level doubles; re-serializing it would take gigabytes.
        var yaml = "a0: &a0 [x, x]\n"
        for level in 1...30 { yaml += "a\(level): &a\(level) [*a\(level - 1), *a\(level - 1)]\n" }
        yaml += "api:\n  baseURL: https://x\n  auth:\n    tokenEnv: *a30\nsources:\n  - {path: a.csv, mapping: m.yaml}\n"
        #expect(throws: (any Error).self) { try Self.parse(yaml) }
    }
}
