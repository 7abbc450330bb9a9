import Foundation
import Importers
import Ledger
import Mapping
import Referrals

/// A mapped record waiting for its batch's ledger lookup.
struct MappedWork: Sendable {
    var externalId: String
    var source: String
    var referral: Referral
    var payloadHash: String
}

extension SyncJob {
    /// Chunks the reading side may be ahead of planning: enough to keep both cores busy.
    static let readAhead = 4
    /// Unchanged records are marked seen in the ledger this many at a time: one transaction each,
    /// instead of one per batch, so a nightly run over unchanged records is not bound by fsyncs.
    static let touchBatch = 16_384

    /// Reads every source in order (in a task of its own, see ``SourceReading``), plans each mapped
    /// record against the ledger in batches and hands API work to at most ``recordsInFlight`` tasks
    /// at a time.
    func mainPass(_ sources: [PreparedSource], ledger: LedgerDatabase, uploader: RecordUploader, state: RunState) async {
        let concurrency = recordsInFlight
        let planner = SyncPlanner(mode: configuration.upload.mode)
        let channel = BoundedChannel<ReadChunk>(capacity: Self.readAhead)
        let reading = SourceReading(
            sources: sources.map { SourceReading.Source(files: $0.files, spec: $0.spec) },
            limit: options.limit, batchSize: Self.batchSize, fileSize: { Self.fileSize($0) })
        let reader = Task { await reading.run(into: channel) }

        await withTaskGroup(of: RecordResult.self) { group in
            var inFlight = 0
            var touched: [String: [String]] = [:]
            var touchedCount = 0

            func submit(_ work: UploadWork) async {
                while inFlight >= concurrency, let result = await group.next() {
                    inFlight -= 1
                    state.handle(result)
                }
                group.addTask { await uploader.perform(work) }
                inFlight += 1
            }

            func writeTouched() async {
                for (system, ids) in touched {
                    try? await ledger.touch(system: system, externalIds: ids, runId: uploader.runId)
                }
                touched.removeAll(keepingCapacity: true)
                touchedCount = 0
            }

            func plan(_ chunk: ReadChunk) async {
                let system = chunk.system
                var ids: [String] = []
                ids.reserveCapacity(chunk.mappedCount)
                for case .mapped(let item) in chunk.items { ids.append(item.externalId) }
                let entries = ids.isEmpty ? [:] : ((try? await ledger.entries(system: system, externalIds: ids)) ?? [:])
                for readItem in chunk.items {
                    switch readItem {
                    case .rejected(let externalId, let source, let reason, let noteInLedger):
                        if noteInLedger, let externalId {
                            try? await ledger.recordRejected(system: system, externalId: externalId, reason: reason, sourceLocation: source, payloadHash: nil, runId: uploader.runId)
                        }
                        state.handle(.rejected(externalId: externalId, source: source, reason: reason))
                    case .skipped(let externalId, let source, let reason):
                        state.handle(.skipped(externalId: externalId, source: source, reason: reason))
                    case .duplicate(let externalId, let source, let reason):
                        state.summary.duplicates += 1
                        state.handle(.rejected(externalId: externalId, source: source, reason: reason))
                    case .mapped(let item):
                        let entry = entries[item.externalId]
                        let action = planner.plan(payloadHash: item.payloadHash, isShared: entry?.needsConnected ?? false, entry: entry)
                        switch action {
                        case .unchanged:
                            touched[system, default: []].append(item.externalId)
                            touchedCount += 1
                            if state.reconciledAtStart.contains(system + "\u{0}" + item.externalId) {
                                state.handle(.created(externalId: item.externalId, referral: Referral(id: entry?.referralId, engagementId: entry?.engagementId), connected: nil, source: item.source, reconciled: true))
                            } else {
                                state.handle(.unchanged(externalId: item.externalId, referralId: entry?.referralId, engagementId: entry?.engagementId, source: item.source))
                            }
                        case .changedButCreateOnly:
                            touched[system, default: []].append(item.externalId)
                            touchedCount += 1
                            state.handle(.notUpdated(externalId: item.externalId, referralId: entry?.referralId, source: item.source, reason: "changed in the source, but upload.mode is create-only"))
                        case .closed:
                            touched[system, default: []].append(item.externalId)
                            touchedCount += 1
                            state.handle(.notUpdated(externalId: item.externalId, referralId: entry?.referralId, source: item.source, reason: "the referral is Closed; Closed referrals are never changed"))
                        case .rejectedBefore(let reason):
                            state.handle(.rejected(externalId: item.externalId, source: item.source, reason: "rejected by the API in an earlier run with this same data: \(reason)"))
                        case .create, .update, .finishConnected:
                            await submit(UploadWork(system: system, externalId: item.externalId, source: item.source, referral: item.referral, payloadHash: item.payloadHash, action: action, entry: entry))
                        }
                    }
                }
                if touchedCount >= Self.touchBatch { await writeTouched() }
            }

            while let chunk = await channel.receive() {
                state.summary.read += chunk.read
                let bytesDone = chunk.bytesDone
                state.progress.bytesDone = { bytesDone }
                await plan(chunk)
                if state.abortReason != nil {
                    // Records read but not planned are not reported: the run aborted, and the next
                    // run reads them again.
                    channel.close()
                    break
                }
            }
            await writeTouched()
            while let result = await group.next() {
                state.handle(result)
            }
        }
        reader.cancel()
        await reader.value
        state.progress.update(state.summary, force: true)
    }
}
