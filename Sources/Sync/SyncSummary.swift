import Foundation

/// What a run did, as printed at the end and written to `summary.json`.
public struct SyncSummary: Codable, Sendable {
    public var runId: Int64?
    public var dryRun: Bool
    public var mode: String
    public var startedAt: Date
    public var finishedAt: Date?
    /// Input records read, across all sources.
    public var read = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var skipped = 0
    public var rejected = 0
    public var failed = 0
    /// Creates whose response was lost and that were found by listing, not sent again.
    public var reconciled = 0
    /// Of the rejected: the same external id more than once in the input.
    public var duplicates = 0
    /// Changed records left alone: Closed referrals, or a create-only run.
    public var notUpdated = 0
    public var apiCalls = 0
    /// Why the run stopped early, when it did.
    public var abortReason: String?
    public var reportsFolder: String?
    public var exitCode: Int32 = 0

    public init(dryRun: Bool, mode: String, startedAt: Date) {
        self.dryRun = dryRun
        self.mode = mode
        self.startedAt = startedAt
    }

    /// Exit codes: 0 all good, 1 some records rejected or failed, 3 aborted (2 is for configuration, before any run).
    mutating func settleExitCode() {
        if abortReason != nil { exitCode = 3 } else if rejected + failed > 0 { exitCode = 1 } else { exitCode = 0 }
    }

    public var text: String {
        var lines: [String] = []
        if dryRun {
            lines.append("dry run (no API call, no ledger write): \(read) records read")
            lines.append("  would create \(created), update \(updated), leave \(unchanged) unchanged, skip \(skipped), reject \(rejected)")
            if notUpdated > 0 { lines.append("  \(notUpdated) changed records would be left alone (Closed referrals or create-only)") }
        } else {
            lines.append("run \(runId.map(String.init) ?? "-"): \(read) records read")
            lines.append("  created \(created), updated \(updated), unchanged \(unchanged), skipped \(skipped), rejected \(rejected), failed \(failed)")
            if reconciled > 0 { lines.append("  \(reconciled) lost create responses found by listing (not sent twice)") }
            if notUpdated > 0 { lines.append("  \(notUpdated) changed records left alone (Closed referrals or create-only)") }
            if duplicates > 0 { lines.append("  \(duplicates) duplicate external ids in the input (reported, not sent)") }
            lines.append("  API calls: \(apiCalls)")
        }
        if let abortReason { lines.append("ABORTED: \(abortReason)") }
        if let reportsFolder { lines.append("reports: \(reportsFolder)") }
        return lines.joined(separator: "\n")
    }
}
