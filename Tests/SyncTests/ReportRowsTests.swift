import Ledger
import Pipeline
import Referrals
import Testing

@testable import Sync

/// A chunk's settled rows as the consumer takes them (`ReportRows`): the same bytes, file by file,
/// as one row at a time; the counts of one outcome at a time; the uploads in order.
@Suite struct ReportRowsTests {
    static func outcome(_ kind: RecordOutcome.Kind, _ id: String, detail: String = "d") -> RecordOutcome {
        RecordOutcome(kind: kind, externalId: id, source: "f.csv:record 1 (line 2)", detail: detail)
    }

    static func upload(_ id: String) -> PlannedStep {
        .upload(UploadWork(key: RecordKey(system: "s", externalId: id), source: "f.csv", referral: Referral(externalReferenceId: id), payloadHash: "h", action: .create))
    }

    @Test func runsHoldEachFilesRowsInOrderAndCountsAreOneByOne() {
        var duplicate = Self.outcome(.rejected, "e", detail: "duplicate")
        duplicate.duplicate = true
        let settled: [RecordOutcome] = [
            Self.outcome(.unchanged, "a"), Self.outcome(.skipped, "b"), Self.outcome(.rejected, "c", detail: "no, \"quoted\""),
            Self.outcome(.rejected, "d"), duplicate, Self.outcome(.unchanged, "f"),
        ]
        var steps: [PlannedStep] = settled.map { .settled($0) }
        steps.insert(Self.upload("u1"), at: 2)
        steps.append(Self.upload("u2"))
        let rows = ReportRows(steps: steps)

        #expect(rows.uploads.map(\.key.externalId) == ["u1", "u2"])
        #expect(!rows.hasSuccess)
        var counts = RunCounts()
        for outcome in settled { counts.add(outcome) }
        #expect(rows.counts == counts)
        // Consecutive rows of one file are one run: success (a, b), errors (c, d, e), success (f).
        #expect(rows.runs.map(\.file) == [.success, .errors, .success])
        var bytes: [ReportRows.File: [UInt8]] = [:]
        for run in rows.runs { bytes[run.file, default: []] += rows.bytes[run.range] }
        var one: [ReportRows.File: [UInt8]] = [:]
        var details: DetailCell? = DetailCell()
        for outcome in settled {
            var row: [UInt8] = []
            let file = RunReport.render(outcome, into: &row, details: &details)
            one[file, default: []] += row
        }
        #expect(bytes == one)
    }

    @Test func aCreateFoundByReconciliationEndsARunOfFailures() {
        #expect(ReportRows(steps: [.settled(Self.outcome(.created, "a"))]).hasSuccess)
        #expect(ReportRows(steps: [Self.upload("a")]).runs.isEmpty)
    }
}
