import Foundation
import Ledger
import Pipeline

extension SyncJob {
    /// Unchanged records are marked seen in the ledger this many at a time: one transaction each,
    /// instead of one per chunk, so a nightly run over unchanged records is not bound by fsyncs.
    static let touchBatch = 16_384

    /// Plans each chunk of the record stream against the ledger and hands API work to at most
    /// ``recordsInFlight`` tasks at a time. The stream reads and maps the next chunks meanwhile.
    func mainPass(ledger: LedgerDatabase, uploader: RecordUploader, state: RunState) async {
        let concurrency = recordsInFlight
        let planner = SyncPlanner(mode: configuration.upload.mode)
        await withTaskGroup(of: UploadResult.self) { group in
            var inFlight = 0
            var touched: [String: [String]] = [:]
            var touchedCount = 0

            func submit(_ work: UploadWork) async {
                while inFlight >= concurrency, let result = await group.next() {
                    inFlight -= 1
                    state.collect(result)
                }
                group.addTask { await uploader.perform(work) }
                inFlight += 1
            }

            // Marking records seen is bookkeeping (`lastRunId`): it is written in the background, one
            // batch after another, while planning goes on; the run waits for the last at its end.
            var touching: Task<Void, Never>?
            func writeTouched() {
                let batch = touched
                let previous = touching
                let runId = uploader.runId
                touching = Task {
                    await previous?.value
                    for (system, ids) in batch {
                        try? await ledger.touch(system: system, externalIds: ids, runId: runId)
                    }
                }
                touched.removeAll(keepingCapacity: true)
                touchedCount = 0
            }

            do {
                let stream = try makeStream()
                while let chunk = try await stream.next() {
                    state.summary.counts.read += chunk.records.count
                    state.progress.bytesDone = chunk.bytesRead
                    let entries: [String: LedgerEntry]
                    do {
                        entries = try await ledger.entries(system: chunk.system, externalIds: chunk.records.compactMap(\.externalId))
                    } catch {
                        state.abortReason = "cannot read the ledger: \(error). Nothing of this chunk was sent; run again to resume."
                        break
                    }
                    for (record, step) in planner.plan(chunk, entries: entries, reconciled: state.reconciledAtStart) {
                        switch step {
                        case .settled(let outcome, let touch):
                            if touch, let id = outcome.externalId {
                                touched[chunk.system, default: []].append(id)
                                touchedCount += 1
                            }
                            if case .rejected(_, false) = record.outcome, let id = record.externalId {
                                await noteRejected(id, system: chunk.system, outcome: outcome, entry: entries[id], ledger: ledger, runId: uploader.runId)
                            }
                            state.handle(outcome)
                        case .upload(let work):
                            await submit(work)
                        }
                    }
                    if touchedCount >= Self.touchBatch { writeTouched() }
                    // Records read but not planned are not reported: the run aborted, and the next
                    // run reads them again.
                    if state.abortReason != nil { break }
                }
            } catch {
                state.abortReason = "reading stopped: \(error)"
            }
            writeTouched()
            await touching?.value
            while let result = await group.next() { state.collect(result) }
        }
        state.progress.update(state.summary.counts, force: true)
    }

    /// A record the mapping refused, noted in the ledger so `ledger show` tells why it was never
    /// sent; written only when the ledger does not say so already (an unchanged reject costs no write).
    func noteRejected(_ externalId: String, system: String, outcome: RecordOutcome, entry: LedgerEntry?, ledger: LedgerDatabase, runId: Int64) async {
        let reason = String(outcome.detail.prefix(LedgerDatabase.maxErrorLength))
        if let entry, entry.lastError == reason, entry.referralId != nil || entry.state == .rejected { return }
        try? await ledger.recordRejected(system: system, externalId: externalId, reason: reason, sourceLocation: outcome.source, payloadHash: nil, runId: runId)
    }
}
