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
    /// What records' source content mapped to, where the ledger does not note it yet.
    var digestNotes: [SourceDigestNote] = []
    /// The settled steps' report rows and counts, and the uploads, when the stream was asked for
    /// them (a run, not a dry run: `steps` is then empty); nil otherwise.
    var rows: ReportRows?
}

/// The record stream, each chunk planned against the ledger ahead of the consumer.
///
/// The stream reads each chunk's ledger entries before mapping it (`RecordStream`'s `ledger`);
/// the planning of the next chunks runs in tasks of their own while the
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
    private let renderRows: Bool
    private var pending: [Task<PlannedChunk, any Error>] = []
    private var exhausted = false

    /// - Parameters:
    ///   - stream: a stream given the ledger to plan against (`RecordStream`'s `ledger`), which reads
    ///     each chunk's entries before mapping it; one given none plans every record as never seen
    ///     (a dry run before the first run).
    ///   - reconciled: records the start-of-run reconciliation found created.
    ///   - depth: chunks planned ahead; each holds at most the stream's chunk size in records.
    ///   - renderRows: render the report rows of settled steps in the planning tasks (`ReportRows`).
    init(stream: RecordStream, planner: SyncPlanner, reconciled: Set<RecordKey>, depth: Int = 2, renderRows: Bool = false) {
        self.stream = stream
        ledger = stream.ledger
        self.planner = planner
        self.reconciled = reconciled
        self.depth = max(1, depth)
        self.renderRows = renderRows
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
            let renderRows = renderRows
            pending.append(Task { () async throws -> PlannedChunk in
                var planned = try await PlanningStream.plan(chunk, ledger: ledger, planner: planner, reconciled: reconciled)
                if renderRows {
                    // The consumer takes the rows and the uploads (`ReportRows`): the steps go.
                    let steps = planned.steps
                    planned.steps = []
                    planned.rows = ReportRows(steps: steps)
                }
                return planned
            })
        }
        guard !pending.isEmpty else { return nil }
        return try await pending.removeFirst().value
    }

    private static func plan(_ chunk: RecordChunk, ledger: (any MappingLedger)?, planner: SyncPlanner, reconciled: Set<RecordKey>) async throws -> PlannedChunk {
        // The stream read the entries when it was given the ledger; without one, nothing is known.
        let entries: [PlanningEntry?]
        if let known = chunk.entries {
            entries = known
        } else if ledger == nil {
            entries = Array(repeating: nil, count: chunk.records.count)
        } else {
            // Planning a record without its entry would create it again.
            throw LedgerReadError(underlying: LedgerError("a chunk came without its ledger entries"))
        }
        var planned = PlannedChunk(system: chunk.system, recordCount: chunk.records.count, bytesRead: chunk.bytesRead, steps: [], newRejects: [])
        do {
            planned.steps = try planner.plan(chunk, entries: entries, reconciled: reconciled, newRejects: &planned.newRejects, digestNotes: &planned.digestNotes)
        } catch {
            throw LedgerReadError(underlying: error)
        }
        var known: [Int] = []
        for index in planned.steps.indices {
            // The step first, and the entry matched, not compared: `entries[index] != nil` copied
            // each entry (retaining its strings) to call `==`, 3 % of a nightly re-run's CPU.
            guard case .upload = planned.steps[index], case .some = entries[index] else { continue }
            known.append(index)
        }
        // A record that needs a call and that the ledger knows is read whole: its stable request
        // ids and eTag. On a nightly run these are the few changed records.
        if let ledger, !known.isEmpty {
            let whole: [String: LedgerEntry]
            do {
                whole = try await ledger.entries(system: chunk.system, externalIds: known.compactMap { chunk.records[$0].externalId })
            } catch {
                throw LedgerReadError(underlying: error)
            }
            for index in known {
                guard case .upload(var work) = planned.steps[index] else { continue }
                work.entry = whole[work.key.externalId]
                planned.steps[index] = .upload(work)
            }
        }
        return planned
    }
}
