import Ledger
import Pipeline

/// One chunk of the record stream, planned against the ledger: what the consumer of a run (or of
/// a dry run) acts on, with nothing left to look up.
struct PlannedChunk: Sendable {
    var system: String
    /// Input records in the chunk, whatever their outcome.
    var recordCount: Int
    var bytesRead: Int64
    var steps: [PlannedStep]
    /// Records the mapping rejected for a reason the ledger does not hold yet (an unchanged reject
    /// costs no write).
    var newRejects: [LedgerDatabase.Reject]
}

/// The ledger could not be read while planning: nothing of the chunk was sent.
struct LedgerReadError: Error, CustomStringConvertible {
    var underlying: any Error
    var description: String { "\(underlying)" }
}

/// The record stream, each chunk planned against the ledger ahead of the consumer.
///
/// The ledger query and the planning of the next chunks run in tasks of their own while the
/// consumer handles the current one (report rows, counts, uploads): a nightly run over unchanged
/// records was bound by that one consumer doing all of it in turn.
///
/// Planning ahead is safe because a chunk's entries change only through its own records: ids are
/// unique in the stream (a repeated id is rejected as a duplicate before planning), and the
/// start-of-run reconciliation is over before the first chunk is read.
final class PlanningStream {
    private let stream: RecordStream
    private let ledger: (any MappingLedger)?
    private let planner: SyncPlanner
    private let reconciled: Set<RecordKey>
    private let depth: Int
    private var pending: [Task<PlannedChunk, any Error>] = []
    private var exhausted = false

    /// - Parameters:
    ///   - ledger: nil plans every record as never seen (a dry run before the first run).
    ///   - reconciled: records the start-of-run reconciliation found created.
    ///   - depth: chunks planned ahead; each holds at most the stream's chunk size in records.
    init(stream: RecordStream, ledger: (any MappingLedger)?, planner: SyncPlanner, reconciled: Set<RecordKey>, depth: Int = 2) {
        self.stream = stream
        self.ledger = ledger
        self.planner = planner
        self.reconciled = reconciled
        self.depth = max(1, depth)
    }

    deinit {
        for task in pending { task.cancel() }
    }

    /// The next planned chunk in input order, or nil at the end. Throws `LedgerReadError` when the
    /// ledger cannot be read, and what the stream throws.
    func next() async throws -> PlannedChunk? {
        while pending.count < depth, !exhausted {
            guard let chunk = try await stream.next() else {
                exhausted = true
                break
            }
            let ledger = ledger
            let planner = planner
            let reconciled = reconciled
            pending.append(Task { () async throws -> PlannedChunk in
                try await PlanningStream.plan(chunk, ledger: ledger, planner: planner, reconciled: reconciled)
            })
        }
        guard !pending.isEmpty else { return nil }
        return try await pending.removeFirst().value
    }

    private static func plan(_ chunk: RecordChunk, ledger: (any MappingLedger)?, planner: SyncPlanner, reconciled: Set<RecordKey>) async throws -> PlannedChunk {
        let entries: [String: LedgerEntry]
        do {
            entries = try await ledger?.entries(system: chunk.system, externalIds: chunk.records.compactMap(\.externalId)) ?? [:]
        } catch {
            throw LedgerReadError(underlying: error)
        }
        var planned = PlannedChunk(system: chunk.system, recordCount: chunk.records.count, bytesRead: chunk.bytesRead, steps: [], newRejects: [])
        planned.steps.reserveCapacity(chunk.records.count)
        for (record, step) in zip(chunk.records, planner.plan(chunk, entries: entries, reconciled: reconciled)) {
            if case .settled(let outcome) = step, case .rejected(_, false) = record.outcome, let id = outcome.externalId,
                let reject = Self.newReject(id, outcome: outcome, entry: entries[id])
            {
                planned.newRejects.append(reject)
            }
            planned.steps.append(step)
        }
        return planned
    }

    /// A record the mapping refused, to be noted in the ledger so `ledger show` tells why it was
    /// never sent; nil when the ledger says so already.
    static func newReject(_ externalId: String, outcome: RecordOutcome, entry: LedgerEntry?) -> LedgerDatabase.Reject? {
        let reason = outcome.detail
        // Compared whole first: the ledger keeps a reason cut to `maxErrorLength`, but nearly every
        // reason is shorter, and a re-run over a million rejects should not copy a million strings.
        if let entry, let noted = entry.lastError, entry.referralId != nil || entry.state == .rejected,
            noted == reason || noted == String(reason.prefix(LedgerDatabase.maxErrorLength))
        {
            return nil
        }
        return LedgerDatabase.Reject(externalId: externalId, reason: reason, sourceLocation: outcome.source)
    }
}
