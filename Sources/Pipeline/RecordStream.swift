public import Foundation
import Importers
public import Ledger
import Mapping

/// The one way a record travels from a file to a consumer: files → importer → header check →
/// mapper → duplicate detection → encoded JSON and payload hash, in ordered chunks.
///
/// `preview` writes what it yields, `sync --dry-run` plans it against the ledger and `sync` plans
/// and uploads it, so the three agree on every record by construction.
///
/// Given a ledger (a run or a dry run), the stream asks it about each chunk before mapping it: the
/// entries of the chunk's records come with the chunk, and a record whose source content the ledger
/// notes as mapped to what it holds (`PlanningEntry.settles`) is not mapped again. A nightly run over
/// unchanged records then costs reading, a digest and a lookup a record.
///
/// Concurrency is Swift's own and nothing else: while the consumer handles chunk N, the next
/// `lookahead` chunks are read (one after another: the reader lives in an actor, so it is only
/// ever used by one task at a time) and mapped on every core (a child task per slice, each with a
/// mapper of its own). Whatever depends on earlier records (duplicate ids, counts) is done in
/// `next()`, in order.
public final class RecordStream {
    /// Input records per chunk, whatever their outcome: the bound on memory.
    public let chunkSize: Int
    /// The default chunk: 256 records. The records in flight (a few chunks, source and mapped)
    /// are most of what a preview's memory does not hold from the start, and glibc's heap grows to
    /// their busiest moment and keeps the holes they leave; a longer run meets a busier moment.
    /// Measured with `scripts/bench-memory` (peak RSS, release build, 2 cores), from 1024 records to
    /// 256: CSV 48.8 → 44.7 MB at 100k leads and 50.5 → 45.6 MB at 2M; CMT XML 44.2 → 43.5 MB and
    /// 50.5 → 44.7 MB; at 8M CSV leads 46.7–47.0 MB against 46.5–46.8 at 2M. The 500k CSV preview
    /// took the same time (2.40 against 2.47 s, medians of 7); 128 records cost about 3 %.
    public static let defaultChunkSize = 256
    private let sources: [StreamSource]
    private let cursor: SourceCursor
    private let workers: Int
    private let keepSource: Bool
    private let hashPayloads: Bool
    private let keepReferrals: Bool
    /// The ledger each chunk is looked up in before it is mapped, if any.
    public let ledger: (any MappingLedger)?
    /// The records this stream yields, when a run shares the ledger with other workers (with a
    /// ledger only: a record's pass is decided by its id, known before mapping).
    public let pass: StreamPass?

    /// Chunks being read and mapped ahead of the consumer, in input order.
    private var window: [Task<RecordChunk?, any Error>] = []
    /// The last read scheduled: each read waits for the one before, so chunks come in file order.
    private var lastRead: Task<RawBatch?, any Error>?
    /// Chunks read and mapped ahead of the consumer: enough that a consumer that is slow for a
    /// chunk (a ledger query, a burst of report rows) finds the next ones ready; each is at most
    /// `chunkSize` records, so memory stays bounded. Two by default: with four, the preview was no
    /// faster (500k CSV leads: 2.47 s against 2.43 s), and the records in flight at the busiest
    /// moment grew with the run's length (peak RSS 51 MB at 100k leads, 57 MB at 2M; 51 and 53.5
    /// with two).
    private let lookahead: Int
    private var finished = false
    private var duplicates = DuplicateKeys()

    /// What came out so far.
    public private(set) var counts = StreamCounts()

    /// Checks every source's headers against its mapping (throws `SourceProblems`) before anything is read.
    ///
    /// - Parameters:
    ///   - limit: read at most this many input records, all sources together.
    ///   - keepSource: keep each record's source fields (for the HTML preview).
    ///   - hashPayloads: compute each mapped record's `payloadHash` on the mapping threads (what
    ///     `sync` compares with the ledger); without it the hash is computed only if asked for (the
    ///     preview never asks: hashing a kilobyte a record was 4 % of its CPU time).
    ///   - keepReferrals: keep each mapped record's `Referral` (what planning and uploading read);
    ///     without it a record holds only its encoded bytes and warnings (`EncodedReferral`), and
    ///     the referral is freed on the thread that mapped it.
    ///   - workers: slices each chunk is mapped in; defaults to the cores the process may use.
    ///   - headersChecked: the caller already ran `checkHeaders()` on every source (each file's
    ///     header is then not read a second time).
    ///   - ledger: asked about each chunk before it is mapped (see above). Reading ahead is safe for
    ///     the same reason planning ahead is: a record's entry changes only through the record
    ///     itself, and ids are unique in the stream (a repeated one is rejected as a duplicate).
    ///   - pass: yields only the records of this pass (see `StreamPass`); needs `ledger`. The
    ///     others are dropped before they are looked up or mapped, and are neither counted nor
    ///     checked for duplicates here.
    public init(sources: [StreamSource], limit: Int? = nil, keepSource: Bool = false, hashPayloads: Bool = true, keepReferrals: Bool = true, chunkSize: Int = RecordStream.defaultChunkSize, workers: Int = ProcessInfo.processInfo.activeProcessorCount, lookahead: Int = 2, headersChecked: Bool = false, ledger: (any MappingLedger)? = nil, pass: StreamPass? = nil) throws {
        if !headersChecked {
            for source in sources { try source.checkHeaders() }
        }
        self.sources = sources
        self.chunkSize = max(1, chunkSize)
        self.keepSource = keepSource
        self.hashPayloads = hashPayloads
        self.keepReferrals = keepReferrals
        self.workers = max(1, workers)
        self.lookahead = max(1, lookahead)
        self.ledger = ledger
        self.pass = ledger == nil ? nil : pass
        cursor = SourceCursor(sources: sources, limit: limit ?? Int.max, chunkSize: self.chunkSize, deferDecoding: ledger != nil)
    }

    deinit {
        for task in window { task.cancel() }
    }

    /// Things the user should know that are not errors: renamed headers, an encoding fallback.
    public var notices: [String] {
        get async { await cursor.notices }
    }

    /// The next chunk in input order, or nil at the end. Throws only what no record can carry
    /// (cancellation, `LedgerReadError`); a file that cannot be read becomes a rejected record naming it.
    public func next() async throws -> RecordChunk? {
        guard !finished else { return nil }
        while window.count < lookahead { schedule() }
        let first = window.removeFirst()
        // Keep the window full: the next chunks are read and mapped while this one is consumed.
        schedule()
        let chunk: RecordChunk?
        do {
            chunk = try await first.value
        } catch {
            stop()
            throw error
        }
        guard var chunk else {
            stop()
            return nil
        }
        finalize(&chunk)
        return chunk
    }

    private func stop() {
        finished = true
        for task in window { task.cancel() }
        window.removeAll()
    }

    /// One more chunk at the end of the window: its read after the read before it, its mapping as
    /// soon as its read is done (mappings of several chunks may overlap).
    private func schedule() {
        let previous = lastRead
        let cursor = cursor
        let read = Task { () throws -> RawBatch? in
            // Only the order matters here; an error of the read before is its own chunk's to report.
            _ = try? await previous?.value
            return try await cursor.nextBatch()
        }
        lastRead = read
        let specs = sources.map(\.spec)
        let workers = workers
        let keepSource = keepSource
        let hashPayloads = hashPayloads
        let keepReferrals = keepReferrals
        let ledger = ledger
        let pass = pass
        window.append(Task { () throws -> RecordChunk? in
            guard var raw = try await read.value else { return nil }
            let spec = specs[raw.sourceIndex]
            guard let ledger else {
                return await RecordStream.map(raw, spec: spec, workers: workers, keepSource: keepSource, hashPayloads: hashPayloads, keepReferrals: keepReferrals)
            }
            var probes = await RecordStream.probe(raw, spec: spec, workers: workers)
            if let pass { RecordStream.keep(pass, system: spec.sourceSystem, raw: &raw, probes: &probes) }
            let entries: [PlanningEntry?]
            do {
                entries = try await ledger.planningEntries(system: spec.sourceSystem, externalIds: probes.map { $0?.externalId })
            } catch {
                throw LedgerReadError(underlying: error)
            }
            guard entries.count == raw.items.count else {
                throw LedgerReadError(underlying: LedgerError("the ledger answered \(entries.count) entries for \(raw.items.count) records"))
            }
            return await RecordStream.map(raw, spec: spec, workers: workers, keepSource: keepSource, hashPayloads: hashPayloads, keepReferrals: keepReferrals, probes: probes, entries: entries)
        })
    }

    /// A record's id and source digest, computed before it is mapped; nil for what the reader refused.
    typealias Probe = (externalId: String?, digest: SourceDigest)

    /// Drops the records of another pass from a batch and its probes.
    static func keep(_ pass: StreamPass, system: String, raw: inout RawBatch, probes: inout [Probe?]) {
        let kept = probes.indices.filter { pass.includes(system: system, externalId: probes[$0]?.externalId) }
        guard kept.count < probes.count else { return }
        let items = ItemBatch(capacity: kept.count)
        for index in kept { items.append(raw.items.take(index)) }
        raw.items = items
        probes = kept.map { probes[$0] }
    }

    /// Every record's `Probe`, in slices on every core.
    static func probe(_ raw: RawBatch, spec: MappingSpec, workers: Int) async -> [Probe?] {
        let items = raw.items
        return await inSlices(count: items.count, workers: workers, spec: spec) { mapper, index in
            items.withItem(index) { item in
                guard case .record(let source)? = item else { return nil }
                return mapper.probe(source)
            }
        }
    }

    /// Maps a batch in slices on every core; outcomes in input order. With `probes` and `entries`
    /// (by position), a record the ledger settles is not mapped, and the entries go with the chunk.
    static func map(
        _ raw: RawBatch, spec: MappingSpec, workers: Int, keepSource: Bool, hashPayloads: Bool = true, keepReferrals: Bool = true, probes: [Probe?]? = nil, entries: [PlanningEntry?]? = nil
    ) async -> RecordChunk {
        let items = raw.items
        let records = await inSlices(count: items.count, workers: workers, spec: spec) { mapper, index in
            // Taken, not copied: the source record is freed here, as soon as it is mapped.
            let item = items.take(index)
            guard let probe = probes?[index] else {
                return Self.record(of: item, mapper: mapper, keepSource: keepSource, hashPayload: hashPayloads, keepReferral: keepReferrals)
            }
            if let entry = entries?[index], let settled = entry.settles(probe.digest), case .record(let source) = item {
                return StreamRecord(location: source.location, externalId: probe.externalId, outcome: settled, sourceDigest: probe.digest)
            }
            var record = Self.record(of: item, mapper: mapper, keepSource: keepSource, hashPayload: hashPayloads, keepReferral: keepReferrals)
            record.sourceDigest = probe.digest
            return record
        }
        return RecordChunk(sourceIndex: raw.sourceIndex, system: spec.sourceSystem, records: records, bytesRead: raw.bytesRead, entries: entries)
    }

    /// `body(mapper, index)` for every index below `count`, in a few slices per core, each slice
    /// with a mapper of its own (a mapper caches the header it last saw and is not thread-safe);
    /// the results in index order.
    private static func inSlices<Element: Sendable>(
        count: Int, workers: Int, spec: MappingSpec, _ body: @escaping @Sendable (Mapper, Int) -> Element
    ) async -> [Element] {
        // A few slices per worker, so a core done early finds more to take; none under 64
        // records, where a task's start and its mapper's cost more than a late core loses.
        let slices = max(1, min(workers * 4, count / 64))
        let share = (count + slices - 1) / slices
        let ranges = (0..<slices).map { min(count, $0 * share)..<min(count, ($0 + 1) * share) }.filter { !$0.isEmpty }
        // Every slice writes its results straight into its own part of one buffer, and the array
        // takes them by moving: gathering per-slice arrays into one copied every record, retaining
        // its strings and objects once more, then released them with the slices.
        let slots = Slots<Element>(count: count)
        await withTaskGroup(of: Void.self) { group in
            for range in ranges {
                group.addTask {
                    let mapper = Mapper(spec)
                    for index in range { slots.initialize(index, to: body(mapper, index)) }
                }
            }
        }
        // The ranges cover 0..<count once each (ceiling division, empty ones dropped), and no child
        // task can stop early (`body` neither throws nor checks for cancellation): every slot is
        // initialized when the group is done.
        return slots.moveOut()
    }

    static func record(of item: ImportItem, mapper: Mapper, keepSource: Bool, hashPayload: Bool = true, keepReferral: Bool = true) -> StreamRecord {
        switch item {
        case .rejected(let rejected):
            return StreamRecord(location: rejected.location, externalId: nil, outcome: .rejected(issues: [MappingIssue(field: "(input)", message: rejected.reason)], isDuplicate: false))
        case .record(let source):
            // One initializer call, after the switch: with one in each case, the compiler built
            // the record and then copied it into the result (retaining and releasing its members).
            let externalId: String?
            let outcome: StreamRecord.Outcome
            switch mapper.map(source) {
            case .mapped(let mapped):
                externalId = mapped.externalReferenceId
                outcome = .mapped(EncodedReferral(mapped, json: mapper.encode(mapped), hashPayload: hashPayload, keepReferral: keepReferral))
            case .skipped(let id, let reason):
                externalId = id
                outcome = .skipped(reason: reason)
            case .rejected(let id, let issues):
                externalId = id
                outcome = .rejected(issues: issues, isDuplicate: false)
            }
            return StreamRecord(location: source.location, externalId: externalId, outcome: outcome, source: keepSource ? source.materialized() : nil)
        }
    }

    /// In input order: a second record with an id already seen in this stream is rejected (only the
    /// first is ever sent), and everything is counted.
    ///
    /// Reads first and writes only for a duplicate: the task that mapped the chunk still holds its
    /// array, so the first write copies the whole array, and in a loop that may write the optimizer
    /// makes the array unique before the loop, copying every chunk (retaining every record's
    /// strings and objects once more) even when nothing is written.
    private func finalize(_ chunk: inout RecordChunk) {
        var repeats: [(index: Int, issue: MappingIssue)] = []
        let system = chunk.system
        // Read through a buffer pointer: `chunk.records[index]` copied the whole record (retaining
        // and releasing each of its strings and objects) for each property read, 1.5 % of a preview.
        chunk.records.withUnsafeBufferPointer { records in
            for index in records.indices where records[index].isMapped {
                // Ids are unique per system: the same id in two sources of different systems is fine.
                guard let id = records[index].externalId else { continue }
                if let first = duplicates.firstSeen(RecordKey(system: system, externalId: id), at: records[index].location) {
                    repeats.append((index, MappingIssue(field: "externalReferenceId", message: "duplicate external id: also at \(first); only the first is sent")))
                }
            }
        }
        for (index, issue) in repeats { chunk.records[index].outcome = .rejected(issues: [issue], isDuplicate: true) }
        // The outcome alone: a whole record passed to `add` was copied first (its file name, id and
        // outcome retained, then released).
        var counts = self.counts
        chunk.records.withUnsafeBufferPointer { records in
            for index in records.indices { counts.add(records[index].outcome) }
        }
        self.counts = counts
    }
}

/// Items read for one chunk, not yet mapped.
struct RawBatch: Sendable {
    var sourceIndex: Int
    var items: ItemBatch
    var bytesRead: Int64
}

/// One chunk's results while its slices make them concurrently: each slice initializes only the
/// slots of its own range, so no slot is touched by two tasks, and the whole is read only after
/// every slice is done (`moveOut`, after the task group). Unchecked `Sendable` for that reason alone.
private final class Slots<Element>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Element>
    private let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(1, count))
    }

    deinit { base.deallocate() }

    func initialize(_ index: Int, to element: consuming Element) {
        precondition(index >= 0 && index < count, "slot out of range")
        (base + index).initialize(to: element)
    }

    /// The results as an array, moved out (the slots are uninitialized again). Every slot must have
    /// been initialized.
    func moveOut() -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let target = buffer.baseAddress, count > 0 { target.moveInitialize(from: base, count: count) }
            initialized = count
        }
    }
}
