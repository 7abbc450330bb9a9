public import Foundation
public import Ledger

/// What a run did, as printed at the end and written to `summary.json`.
public struct SyncSummary: Codable, Sendable {
    public var runId: Int64?
    public var dryRun: Bool
    public var mode: String
    /// `running` while the run goes on (a report left so was killed), then `finished` or `aborted`.
    public var state = "running"
    public var startedAt: Date
    public var finishedAt: Date?
    /// Records by outcome: the same counters the ledger keeps per run.
    public var counts = RunCounts()
    public var apiCalls = 0
    /// Why the run stopped early, when it did.
    public var abortReason: String?
    public var reportsFolder: String?
    /// Earlier runs that were killed before they finished; this run finished their work.
    public var resumedRuns: [Int64] = []
    public var exitCode: Int32 = 0

    public init(dryRun: Bool, mode: String, startedAt: Date) {
        self.dryRun = dryRun
        self.mode = mode
        self.startedAt = startedAt
    }

    /// Exit codes: 0 all good, 1 some records rejected or failed, 3 aborted (2 is for configuration, before any run).
    mutating func settleExitCode() {
        if abortReason != nil { exitCode = 3 } else if counts.rejected + counts.failed > 0 { exitCode = 1 } else { exitCode = 0 }
        state = abortReason == nil ? "finished" : "aborted"
    }

    public var text: String {
        var lines: [String] = []
        let c = counts
        if dryRun {
            lines.append("dry run (no API call, no ledger write): \(c.read) records read")
            lines.append("  would create \(c.created), update \(c.updated), leave \(c.unchanged) unchanged, skip \(c.skipped), reject \(c.rejected)")
            if c.notUpdated > 0 { lines.append("  \(c.notUpdated) changed records would be left alone (Closed referrals or create-only)") }
            if c.duplicates > 0 { lines.append("  \(c.duplicates) duplicate external ids in the input (reported, not sent)") }
        } else {
            lines.append("run \(runId.map(String.init) ?? "-"): \(c.read) records read")
            if !resumedRuns.isEmpty { lines.append("  resumed after interrupted run \(resumedRuns.map(String.init).joined(separator: ", ")) (its reports are marked interrupted; `ledger export` has every record)") }
            lines.append("  created \(c.created), updated \(c.updated), unchanged \(c.unchanged), skipped \(c.skipped), rejected \(c.rejected), failed \(c.failed)")
            if c.reconciled > 0 { lines.append("  \(c.reconciled) lost create responses found by listing (not sent twice)") }
            if c.notUpdated > 0 { lines.append("  \(c.notUpdated) changed records left alone (Closed referrals or create-only)") }
            if c.duplicates > 0 { lines.append("  \(c.duplicates) duplicate external ids in the input (reported, not sent)") }
            lines.append("  API calls: \(apiCalls)")
        }
        if let abortReason { lines.append("ABORTED: \(abortReason)") }
        if let reportsFolder { lines.append("reports: \(reportsFolder)") }
        return lines.joined(separator: "\n")
    }
}
