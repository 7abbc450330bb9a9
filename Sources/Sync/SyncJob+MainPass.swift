import Foundation
import Ledger
import Logging
import Pipeline

extension SyncJob {
    /// Records the mapping rejected are noted in the ledger this many at a time: one transaction
    /// each, so a run over a million rejected records is not bound by fsyncs.
    static let noteBatch = 16_384

    /// Takes each planned chunk of the record stream and hands API work to at most
    /// ``recordsInFlight`` tasks at a time. The next chunks are read, mapped and planned meanwhile.
    func mainPass(ledger: any MappingLedger, uploader: RecordUploader, state: RunState) async {
        let concurrency = recordsInFlight
        let notes = LedgerNotes(ledger: ledger, runId: uploader.runId)
        await withTaskGroup(of: UploadResult.self) { group in
            var inFlight = 0

            func submit(_ work: UploadWork) async {
                while inFlight >= concurrency, let result = await group.next() {
                    inFlight -= 1
                    state.collect(result)
                }
                group.addTask { await uploader.perform(work) }
                inFlight += 1
            }

            do {
                let passes = try await passes(ledger: ledger)
                let fileBytes = state.progress.totalBytes
                state.progress.totalBytes = fileBytes * Int64(passes.count)
                for (number, pass) in passes.enumerated() where state.abortReason == nil {
                    if let pass { logger.info("pass \(number + 1) of \(passes.count): \(pass)") }
                    let stream = PlanningStream(
                        stream: try makeStream(ledger: ledger, pass: pass), planner: SyncPlanner(mode: configuration.upload.mode), reconciled: state.reconciledAtStart,
                        renderRows: true)
                    while let chunk = try await stream.next() {
                        state.summary.counts.read += chunk.recordCount
                        state.progress.bytesDone = fileBytes * Int64(number) + chunk.bytesRead
                        await notes.add(chunk)
                        // The settled records at once (`ReportRows`), then each record that needs a call.
                        let rows = chunk.rows ?? ReportRows(steps: chunk.steps)
                        state.handle(rows)
                        for work in rows.uploads { await submit(work) }
                        // Records read but not planned are not reported: the run aborted, and the
                        // next run reads them again.
                        if state.abortReason != nil { break }
                    }
                }
            } catch let error as LedgerReadError {
                state.abortReason = "cannot read the ledger: \(error). Nothing of this chunk was sent; run again to resume."
            } catch {
                state.abortReason = "reading stopped: \(error)"
            }
            await notes.finish()
            while let result = await group.next() { state.collect(result) }
        }
        state.progress.update(state.summary.counts, force: true)
    }
}

extension SyncJob {
    /// One pass over the files, or, when other live workers share the ledger, two: this worker's
    /// share, then the rest (see `WorkShare`). The share is taken once, after the start-of-run
    /// reconciliation, so the two passes split the records between them exactly.
    func passes(ledger: any MappingLedger) async throws -> [StreamPass?] {
        let share: WorkShare?
        do {
            share = try await ledger.workShare()
        } catch {
            throw LedgerReadError(underlying: error)
        }
        guard let share else { return [nil] }
        return [.own(share), .others(share)]
    }
}

/// Records the mapping rejected for a new reason, and what records' source content mapped to
/// (`SourceDigestNote`), written to the ledger in the background, one batch after another, while
/// the run goes on. A batch lost to a kill loses nothing: the next run notes the same records
/// again. (Records seen unchanged and noted are not written at all: a nightly run over unchanged
/// records costs the ledger no write.)
final class LedgerNotes {
    private let ledger: any MappingLedger
    private let runId: Int64
    private var rejects: [String: [LedgerDatabase.Reject]] = [:]
    private var digests: [String: [SourceDigestNote]] = [:]
    private var count = 0
    private var writing: Task<Void, Never>?

    init(ledger: any MappingLedger, runId: Int64) {
        self.ledger = ledger
        self.runId = runId
    }

    func add(_ chunk: PlannedChunk) async {
        if !chunk.newRejects.isEmpty {
            rejects[chunk.system, default: []].append(contentsOf: chunk.newRejects)
            count += chunk.newRejects.count
        }
        if !chunk.digestNotes.isEmpty {
            digests[chunk.system, default: []].append(contentsOf: chunk.digestNotes)
            count += chunk.digestNotes.count
        }
        if count >= SyncJob.noteBatch { await write() }
    }

    /// Writes what is left and waits for every batch.
    func finish() async {
        await write()
        await writing?.value
    }

    /// Starts writing the batch gathered so far, once the batch before is written: at most one
    /// batch is written while the next one gathers, so memory stays bounded when the ledger is
    /// slower than the stream.
    private func write() async {
        guard !rejects.isEmpty || !digests.isEmpty else { return }
        await writing?.value
        let rejects = rejects
        let digests = digests
        let ledger = ledger
        let runId = runId
        self.rejects.removeAll(keepingCapacity: true)
        self.digests.removeAll(keepingCapacity: true)
        count = 0
        writing = Task {
            // A new reject carries its digest note in its own write; these are notes on entries
            // that exist already.
            for (system, batch) in rejects {
                try? await ledger.recordRejected(system: system, rejects: batch, runId: runId)
            }
            for (system, batch) in digests {
                try? await ledger.recordSourceDigests(system: system, notes: batch)
            }
        }
    }
}
