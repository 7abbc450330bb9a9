import Foundation
import Ledger
import Pipeline

extension SyncJob {
    /// `sync --dry-run`: the same stream and the same planning as a run, against the ledger opened
    /// read-only (when it exists); no API call, no ledger write, no report files.
    public func dryRun() async -> SyncSummary {
        var summary = SyncSummary(dryRun: true, mode: configuration.upload.mode.rawValue, startedAt: Date())
        var ledger: (any MappingLedger)?
        if configuration.ledgerURL != nil || FileManager.default.fileExists(atPath: configuration.ledgerPath) {
            do {
                ledger = try await LedgerStore.open(location: configuration.ledgerPath, password: configuration.ledgerPassword, readOnly: true)
            } catch {
                summary.abortReason = "cannot read the ledger \(configuration.ledgerPath): \(error)"
            }
        }
        let progress = SyncProgress(style: options.progress)
        do {
            let stream = PlanningStream(stream: try makeStream(ledger: ledger), planner: SyncPlanner(mode: configuration.upload.mode), reconciled: [])
            while summary.abortReason == nil, let chunk = try await stream.next() {
                summary.counts.read += chunk.recordCount
                for step in chunk.steps {
                    switch step {
                    case .settled(let outcome): summary.counts.add(outcome)
                    case .upload(let work): summary.counts.add(Self.wouldBe(work))
                    }
                }
                progress.update(summary.counts)
            }
        } catch {
            summary.abortReason = "\(error)"
        }
        progress.finish()
        await ledger?.close()
        summary.finishedAt = Date()
        summary.settleExitCode()
        return summary
    }

    /// What an upload would end as, if the API accepted it.
    static func wouldBe(_ work: UploadWork) -> RecordOutcome {
        let kind: RecordOutcome.Kind
        switch work.action {
        case .update, .finishConnected(thenUpdate: true): kind = .updated
        default: kind = .created
        }
        return RecordOutcome(kind: kind, externalId: work.key.externalId, source: work.source, detail: "would be \(kind.rawValue)")
    }
}
