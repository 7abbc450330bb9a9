import Dispatch
import Foundation
import Importers

/// Maps records on every core, outcomes in input order.
///
/// Mapping (values, maps, validation) is most of a preview's or a nightly run's CPU time, and each
/// record maps on its own. `run(read:report:)` overlaps three stages over batches: while batch N is
/// mapped in chunks, batch N+1 is read and batch N−1 is reported, and idle threads take the next
/// chunk, so no stage waits for another as long as none alone is half the work. Whatever depends on
/// earlier records (duplicate ids, counts, output, the ledger) belongs in `report`, which sees the
/// batches one at a time, in order. Each chunk has its own `Mapper` (a mapper caches the header it
/// last saw and is not thread-safe).
public final class BatchMapper: @unchecked Sendable {
    public let spec: MappingSpec
    private let mappers: [Mapper]
    private let workers: Int

    /// Records per batch: enough for every chunk to amortize a thread hand-off many times over.
    public let batchSize: Int

    /// - Parameter workers: threads to map on; defaults to the cores the process may use.
    public init(_ spec: MappingSpec, workers: Int = ProcessInfo.processInfo.activeProcessorCount, batchSize: Int = 1024) {
        self.spec = spec
        self.workers = max(1, workers)
        self.batchSize = max(1, batchSize)
        // A few chunks per worker, so a thread done with reading or reporting finds mapping left to take.
        mappers = (0..<(self.workers == 1 ? 1 : self.workers * 4)).map { _ in Mapper(spec) }
    }

    /// One outcome per record, in the order of `records`.
    public func map(_ records: [SourceRecord]) -> [MappingOutcome] {
        let chunks = chunking(records.count)
        return [MappingOutcome](unsafeUninitializedCapacity: records.count) { buffer, count in
            let slots = UnsafeSendable(buffer)
            perform(chunks.count) { mapChunk($0, of: records, chunks: chunks, into: slots.value) }
            count = records.count
        }
    }

    /// Streams batches through read → map → report, overlapped across cores (see the type's note).
    ///
    /// - Parameters:
    ///   - read: the next batch of import items, at most `batchSize` records; empty at the end.
    ///   - report: called once per batch, in input order, with the batch's items and one outcome
    ///     per `.record` item, in order.
    /// Errors: a `report` error stops the run at once; a `read` error is thrown after the batches
    /// read before it were reported.
    public func run(read: () throws -> [ImportItem], report: ([ImportItem], [MappingOutcome]) throws -> Void) throws {
        var current = try read()
        var records = Self.records(of: current)
        var mapped: Batch?
        while !current.isEmpty || mapped != nil {
            let chunks = chunking(records.count)
            let readMore = !current.isEmpty
            let stages = StageResults()
            // Handed over, not shared: the report job then frees the batch on its own thread.
            stages.toReport = mapped
            mapped = nil
            // Every slot is initialized by exactly one mapping job before the array is used.
            let outcomes = [MappingOutcome](unsafeUninitializedCapacity: records.count) { buffer, count in
                let slots = UnsafeSendable(buffer)
                // Jobs 0 and 1 touch only the reader and the reporter, each from one thread at a time;
                // the mapping jobs write disjoint ranges of `outcomes`.
                perform(2 + chunks.count) { job in
                    switch job {
                    case 0:
                        guard readMore else { return }
                        do {
                            stages.next = try read()
                            stages.nextRecords = Self.records(of: stages.next)
                        } catch {
                            stages.readError = error
                        }
                    case 1:
                        guard let batch = stages.toReport else { return }
                        stages.toReport = nil
                        do { try report(batch.items, batch.outcomes) } catch { stages.reportError = error }
                    default:
                        mapChunk(job - 2, of: records, chunks: chunks, into: slots.value)
                    }
                }
                count = records.count
            }
            if let error = stages.reportError { throw error }
            mapped = current.isEmpty ? nil : Batch(items: current, outcomes: outcomes)
            if let error = stages.readError {
                if let mapped { try report(mapped.items, mapped.outcomes) }
                throw error
            }
            current = stages.next
            records = stages.nextRecords
        }
    }

    private static func records(of items: [ImportItem]) -> [SourceRecord] {
        items.compactMap { item in
            if case .record(let record) = item { return record }
            return nil
        }
    }

    /// Ranges of `count` records, one per chunk (empty ranges for chunks with nothing to do).
    private func chunking(_ count: Int) -> [Range<Int>] {
        let chunks = count < 64 ? 1 : mappers.count
        let share = (count + chunks - 1) / max(1, chunks)
        return (0..<chunks).map { min(count, $0 * share)..<min(count, ($0 + 1) * share) }
    }

    private func mapChunk(_ chunk: Int, of records: [SourceRecord], chunks: [Range<Int>], into slots: UnsafeMutableBufferPointer<MappingOutcome>) {
        let mapper = mappers[chunk]
        for index in chunks[chunk] { (slots.baseAddress! + index).initialize(to: mapper.map(records[index])) }
    }

    private func perform(_ jobs: Int, _ job: (Int) -> Void) {
        if workers == 1 {
            for index in 0..<jobs { job(index) }
        } else {
            // The jobs share state only as described at the call sites; Dispatch cannot see that.
            withoutActuallyEscaping(job) { job in
                let shared = UnsafeSendable(job)
                DispatchQueue.concurrentPerform(iterations: jobs) { shared.value($0) }
            }
        }
    }
}

/// A mapped batch waiting for its report.
private struct Batch {
    var items: [ImportItem]
    var outcomes: [MappingOutcome]
}

/// What the read and report jobs of one round take and hand back; each field has one user per round.
private final class StageResults: @unchecked Sendable {
    var toReport: Batch?
    var next: [ImportItem] = []
    var nextRecords: [SourceRecord] = []
    var readError: (any Error)?
    var reportError: (any Error)?
}

/// A value handed to worker threads that is safe by construction (see the call sites), not by type.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
