import Foundation
import Importers
import Ledger
import Mapping
import Referrals

/// A mapped record waiting for its batch's ledger lookup.
struct MappedWork {
    var externalId: String
    var source: String
    var referral: Referral
    var payloadHash: String
}

extension SyncJob {
    /// Reads every source in order, maps each record, plans it against the ledger in batches and
    /// hands API work to at most `upload.concurrency` tasks at a time.
    func mainPass(_ sources: [PreparedSource], ledger: LedgerDatabase, uploader: RecordUploader, state: RunState) async {
        let concurrency = configuration.upload.concurrency
        let planner = SyncPlanner(mode: configuration.upload.mode)
        await withTaskGroup(of: RecordResult.self) { group in
            var inFlight = 0
            var duplicates = DuplicateKeys()

            func submit(_ work: UploadWork) async {
                while inFlight >= concurrency, let result = await group.next() {
                    inFlight -= 1
                    state.handle(result)
                }
                group.addTask { await uploader.perform(work) }
                inFlight += 1
            }

            func flush(_ batch: inout [MappedWork], system: String) async {
                guard !batch.isEmpty else { return }
                let entries = (try? await ledger.entries(system: system, externalIds: batch.map(\.externalId))) ?? [:]
                var touched: [String] = []
                for item in batch {
                    let entry = entries[item.externalId]
                    let action = planner.plan(payloadHash: item.payloadHash, isShared: entry?.needsConnected ?? false, entry: entry)
                    switch action {
                    case .unchanged:
                        touched.append(item.externalId)
                        if state.reconciledAtStart.contains(system + "\u{0}" + item.externalId) {
                            state.handle(.created(externalId: item.externalId, referral: Referral(id: entry?.referralId, engagementId: entry?.engagementId), connected: nil, source: item.source, reconciled: true))
                        } else {
                            state.handle(.unchanged(externalId: item.externalId, referralId: entry?.referralId, engagementId: entry?.engagementId, source: item.source))
                        }
                    case .changedButCreateOnly:
                        touched.append(item.externalId)
                        state.handle(.notUpdated(externalId: item.externalId, referralId: entry?.referralId, source: item.source, reason: "changed in the source, but upload.mode is create-only"))
                    case .closed:
                        touched.append(item.externalId)
                        state.handle(.notUpdated(externalId: item.externalId, referralId: entry?.referralId, source: item.source, reason: "the referral is Closed; Closed referrals are never changed"))
                    case .rejectedBefore(let reason):
                        state.handle(.rejected(externalId: item.externalId, source: item.source, reason: "rejected by the API in an earlier run with this same data: \(reason)"))
                    case .create, .update, .finishConnected:
                        await submit(UploadWork(system: system, externalId: item.externalId, source: item.source, referral: item.referral, payloadHash: item.payloadHash, action: action, entry: entry))
                    }
                }
                if !touched.isEmpty { try? await ledger.touch(system: system, externalIds: touched, runId: uploader.runId) }
                batch.removeAll(keepingCapacity: true)
            }

            var remaining = options.limit ?? Int.max
            var bytesBefore: Int64 = 0
            reading: for source in sources {
                var batch: [MappedWork] = []
                batch.reserveCapacity(Self.batchSize)
                for file in source.files {
                    let reader: RecordReader
                    do {
                        reader = try RecordReader(paths: [file], options: source.spec.source.importOptions)
                    } catch {
                        state.handle(.rejected(externalId: nil, source: file, reason: "the file could not be read, no record of it was sent: \(error)"))
                        continue
                    }
                    let base = bytesBefore
                    state.progress.bytesDone = { base + reader.bytesRead }
                    while remaining > 0, state.abortReason == nil {
                        let item: ImportItem?
                        do {
                            item = try reader.next()
                        } catch {
                            state.handle(.rejected(externalId: nil, source: file, reason: "reading stopped: \(error)"))
                            break
                        }
                        guard let item else { break }
                        remaining -= 1
                        state.summary.read += 1
                        switch item {
                        case .rejected(let rejected):
                            state.handle(.rejected(externalId: nil, source: rejected.location.description, reason: rejected.reason))
                        case .record(let record):
                            let location = record.location.description
                            switch source.mapper.map(record) {
                            case .skipped(let externalId, let reason):
                                state.handle(.skipped(externalId: externalId, source: location, reason: reason))
                            case .rejected(let externalId, let issues):
                                let reason = issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
                                if let externalId {
                                    try? await ledger.recordRejected(system: source.system, externalId: externalId, reason: reason, sourceLocation: location, payloadHash: nil, runId: uploader.runId)
                                }
                                state.handle(.rejected(externalId: externalId, source: location, reason: reason))
                            case .mapped(let mapped):
                                if let first = duplicates.firstSeen(mapped.externalReferenceId, at: record.location) {
                                    state.summary.duplicates += 1
                                    state.handle(.rejected(externalId: mapped.externalReferenceId, source: location, reason: "duplicate external id: also at \(first); only the first is sent"))
                                    continue
                                }
                                let bytes = ReferralJSON.encode(mapped.referral)
                                batch.append(MappedWork(externalId: mapped.externalReferenceId, source: location, referral: mapped.referral, payloadHash: PayloadHash.of(bytes)))
                                if batch.count >= Self.batchSize { await flush(&batch, system: source.system) }
                            }
                        }
                    }
                    bytesBefore += Self.fileSize(file)
                    if remaining <= 0 || state.abortReason != nil { break }
                }
                await flush(&batch, system: source.system)
                if remaining <= 0 || state.abortReason != nil { break reading }
            }
            while let result = await group.next() {
                state.handle(result)
            }
        }
        state.progress.update(state.summary, force: true)
    }
}
