public import Foundation
public import Importers
public import Mapping

/// The one way a record travels from a file to a consumer: files → importer → header check →
/// mapper → duplicate detection → encoded JSON and payload hash, in ordered chunks.
///
/// `preview` writes what it yields, `sync --dry-run` plans it against the ledger and `sync` plans
/// and uploads it, so the three agree on every record by construction.
///
/// Concurrency is Swift's own and nothing else: while the consumer handles chunk N, a task maps
/// chunk N+1 on every core (a child task per slice, each with a mapper of its own) and another
/// reads chunk N+2 (the reader lives in an actor, so it is only ever used by one task at a time).
/// Whatever depends on earlier records (duplicate ids, counts) is done in `next()`, in order.
public final class RecordStream {
    /// Input records per chunk, whatever their outcome: the bound on memory.
    public let chunkSize: Int
    private let sources: [StreamSource]
    private let cursor: SourceCursor
    private let workers: Int
    private let keepSource: Bool

    private var reading: Task<RawBatch?, any Error>?
    private var mapping: Task<RecordChunk, Never>?
    private var finished = false
    private var pendingError: (any Error)?
    private var duplicates = DuplicateKeys()

    /// What came out so far.
    public private(set) var counts = StreamCounts()

    /// Checks every source's headers against its mapping (throws `SourceProblems`) before anything is read.
    ///
    /// - Parameters:
    ///   - limit: read at most this many input records, all sources together.
    ///   - keepSource: keep each record's source fields (for the HTML preview).
    ///   - workers: slices each chunk is mapped in; defaults to the cores the process may use.
    public init(sources: [StreamSource], limit: Int? = nil, keepSource: Bool = false, chunkSize: Int = 1024, workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        for source in sources { try source.checkHeaders() }
        self.sources = sources
        self.chunkSize = max(1, chunkSize)
        self.keepSource = keepSource
        self.workers = max(1, workers)
        cursor = SourceCursor(sources: sources, limit: limit ?? Int.max, chunkSize: self.chunkSize)
    }

    deinit {
        reading?.cancel()
        mapping?.cancel()
    }

    /// Things the user should know that are not errors: renamed headers, an encoding fallback.
    public var notices: [String] {
        get async { await cursor.notices }
    }

    /// The next chunk in input order, or nil at the end. Throws only what no record can carry
    /// (cancellation); a file that cannot be read becomes a rejected record naming it.
    public func next() async throws -> RecordChunk? {
        if mapping == nil {
            if let error = pendingError {
                pendingError = nil
                throw error
            }
            if finished { return nil }
            let first = reading ?? startReading()
            guard let raw = try await first.value else {
                finished = true
                reading = nil
                return nil
            }
            reading = startReading()
            mapping = startMapping(raw)
        }
        guard let current = mapping else { return nil }
        var chunk = await current.value
        mapping = nil
        // Keep the pipeline full: start mapping the next chunk before handing this one out.
        do {
            if let next = reading, let raw = try await next.value {
                reading = startReading()
                mapping = startMapping(raw)
            } else {
                reading = nil
                finished = true
            }
        } catch {
            reading = nil
            finished = true
            pendingError = error
        }
        finalize(&chunk)
        return chunk
    }

    private func startReading() -> Task<RawBatch?, any Error> {
        let cursor = cursor
        return Task { try await cursor.nextBatch() }
    }

    private func startMapping(_ raw: RawBatch) -> Task<RecordChunk, Never> {
        let spec = sources[raw.sourceIndex].spec
        let workers = workers
        let keepSource = keepSource
        return Task { await RecordStream.map(raw, spec: spec, workers: workers, keepSource: keepSource) }
    }

    /// Maps a batch in slices on every core; outcomes in input order.
    static func map(_ raw: RawBatch, spec: MappingSpec, workers: Int, keepSource: Bool) async -> RecordChunk {
        let items = raw.items
        // A few slices per worker, so a core done early finds more to take.
        let slices = items.count < 64 ? 1 : workers * 4
        let share = (items.count + slices - 1) / slices
        let ranges = (0..<slices).map { min(items.count, $0 * share)..<min(items.count, ($0 + 1) * share) }.filter { !$0.isEmpty }
        var parts = [[StreamRecord]](repeating: [], count: ranges.count)
        await withTaskGroup(of: (Int, [StreamRecord]).self) { group in
            for (index, range) in ranges.enumerated() {
                group.addTask {
                    // A mapper caches the header it last saw and is not thread-safe: one per slice.
                    let mapper = Mapper(spec)
                    var records: [StreamRecord] = []
                    records.reserveCapacity(range.count)
                    for item in items[range] { records.append(Self.record(of: item, mapper: mapper, keepSource: keepSource)) }
                    return (index, records)
                }
            }
            for await (index, records) in group { parts[index] = records }
        }
        var records: [StreamRecord] = []
        records.reserveCapacity(items.count)
        for part in parts { records.append(contentsOf: part) }
        return RecordChunk(sourceIndex: raw.sourceIndex, system: spec.sourceSystem, records: records, bytesRead: raw.bytesRead)
    }

    static func record(of item: ImportItem, mapper: Mapper, keepSource: Bool) -> StreamRecord {
        switch item {
        case .rejected(let rejected):
            return StreamRecord(location: rejected.location, externalId: nil, outcome: .rejected(issues: [MappingIssue(field: "(input)", message: rejected.reason)], isDuplicate: false))
        case .record(let source):
            let kept = keepSource ? source : nil
            switch mapper.map(source) {
            case .mapped(let mapped):
                return StreamRecord(location: source.location, externalId: mapped.externalReferenceId, outcome: .mapped(EncodedReferral(mapped)), source: kept)
            case .skipped(let id, let reason):
                return StreamRecord(location: source.location, externalId: id, outcome: .skipped(reason: reason), source: kept)
            case .rejected(let id, let issues):
                return StreamRecord(location: source.location, externalId: id, outcome: .rejected(issues: issues, isDuplicate: false), source: kept)
            }
        }
    }

    /// In input order: a second record with an id already seen in this stream is rejected (only the
    /// first is ever sent), and everything is counted.
    private func finalize(_ chunk: inout RecordChunk) {
        for index in chunk.records.indices {
            if case .mapped = chunk.records[index].outcome, let id = chunk.records[index].externalId {
                // Ids are unique per system: the same id in two sources of different systems is fine.
                if let first = duplicates.firstSeen(RecordKey(system: chunk.system, externalId: id), at: chunk.records[index].location) {
                    let issue = MappingIssue(field: "externalReferenceId", message: "duplicate external id: also at \(first); only the first is sent")
                    chunk.records[index].outcome = .rejected(issues: [issue], isDuplicate: true)
                }
            }
            counts.add(chunk.records[index])
        }
    }
}

/// Items read for one chunk, not yet mapped.
struct RawBatch: Sendable {
    var sourceIndex: Int
    var items: [ImportItem]
    var bytesRead: Int64
}
