import Foundation
import Importers
import Ledger
import Mapping
import Referrals

extension SyncJob {
    /// `sync --dry-run`: every source is read and mapped and each record planned against the ledger
    /// (opened read-only when it exists); no API call, no ledger write, no report files.
    func dryRun(_ sources: [PreparedSource], summary start: SyncSummary) async throws -> SyncSummary {
        var summary = start
        let ledger: LedgerDatabase? = FileManager.default.fileExists(atPath: configuration.ledgerPath)
            ? try? LedgerDatabase.open(path: configuration.ledgerPath, readOnly: true) : nil
        let planner = SyncPlanner(mode: configuration.upload.mode)
        var duplicates = DuplicateKeys()
        var remaining = options.limit ?? Int.max
        let progress = SyncProgress(style: options.progress)

        func plan(_ batch: inout [MappedWork], system: String) async {
            guard !batch.isEmpty else { return }
            let entries = (try? await ledger?.entries(system: system, externalIds: batch.map(\.externalId))) ?? [:]
            for item in batch {
                let entry = entries[item.externalId]
                switch planner.plan(payloadHash: item.payloadHash, isShared: entry?.needsConnected ?? false, entry: entry) {
                case .create: summary.created += 1
                case .update: summary.updated += 1
                case .finishConnected(let thenUpdate): if thenUpdate { summary.updated += 1 } else { summary.created += 1 }
                case .unchanged: summary.unchanged += 1
                case .changedButCreateOnly, .closed:
                    summary.unchanged += 1
                    summary.notUpdated += 1
                case .rejectedBefore: summary.rejected += 1
                }
            }
            batch.removeAll(keepingCapacity: true)
        }

        reading: for source in sources {
            var batch: [MappedWork] = []
            for file in source.files {
                guard let reader = try? RecordReader(paths: [file], options: source.spec.source.importOptions) else {
                    summary.rejected += 1
                    continue
                }
                while remaining > 0, let item = try? reader.next() {
                    remaining -= 1
                    summary.read += 1
                    switch item {
                    case .rejected:
                        summary.rejected += 1
                    case .record(let record):
                        switch source.mapper.map(record) {
                        case .skipped: summary.skipped += 1
                        case .rejected: summary.rejected += 1
                        case .mapped(let mapped):
                            if duplicates.firstSeen(mapped.externalReferenceId, at: record.location) != nil {
                                summary.rejected += 1
                                summary.duplicates += 1
                                continue
                            }
                            let bytes = ReferralJSON.encode(mapped.referral)
                            batch.append(MappedWork(externalId: mapped.externalReferenceId, source: record.location.description, referral: mapped.referral, payloadHash: PayloadHash.of(bytes)))
                            if batch.count >= Self.batchSize { await plan(&batch, system: source.system) }
                        }
                    }
                    progress.update(summary)
                }
                if remaining <= 0 { break }
            }
            await plan(&batch, system: source.system)
            if remaining <= 0 { break reading }
        }
        progress.finish()
        summary.finishedAt = Date()
        summary.settleExitCode()
        return summary
    }
}
