public import Foundation
import Importers
import Mapping

/// The one way a record travels from a file to a consumer: files → importer → header check →
/// mapper → duplicate detection → encoded JSON and payload hash, in ordered chunks.
///
/// `preview` writes what it yields, `sync --dry-run` plans it against the ledger and `sync` plans
/// and uploads it, so the three agree on every record by construction.
///
/// Concurrency is Swift's own and nothing else: while the consumer handles chunk N, the next
/// `lookahead` chunks are read (one after another: the reader lives in an actor, so it is only
/// ever used by one task at a time) and mapped on every core (a child task per slice, each with a
/// mapper of its own). Whatever depends on earlier records (duplicate ids, counts) is done in
/// `next()`, in order.
public final class RecordStream {
    /// Input records per chunk, whatever their outcome: the bound on memory.
    public let chunkSize: Int
    private let sources: [StreamSource]
    private let cursor: SourceCursor
    private let workers: Int
    private let keepSource: Bool

    /// Chunks being read and mapped ahead of the consumer, in input order.
    private var window: [Task<RecordChunk?, any Error>] = []
    /// The last read scheduled: each read waits for the one before, so chunks come in file order.
    private var lastRead: Task<RawBatch?, any Error>?
    /// Chunks read and mapped ahead of the consumer: enough that a consumer that is slow for a
    /// chunk (a ledger query, a burst of report rows) finds the next ones ready; each is at most
    /// `chunkSize` records, so memory stays bounded.
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
    ///   - workers: slices each chunk is mapped in; defaults to the cores the process may use.
    ///   - headersChecked: the caller already ran `checkHeaders()` on every source (each file's
    ///     header is then not read a second time).
    public init(sources: [StreamSource], limit: Int? = nil, keepSource: Bool = false, chunkSize: Int = 1024, workers: Int = ProcessInfo.processInfo.activeProcessorCount, lookahead: Int = 4, headersChecked: Bool = false) throws {
        if !headersChecked {
            for source in sources { try source.checkHeaders() }
        }
        self.sources = sources
        self.chunkSize = max(1, chunkSize)
        self.keepSource = keepSource
        self.workers = max(1, workers)
        self.lookahead = max(1, lookahead)
        cursor = SourceCursor(sources: sources, limit: limit ?? Int.max, chunkSize: self.chunkSize)
    }

    deinit {
        for task in window { task.cancel() }
    }

    /// Things the user should know that are not errors: renamed headers, an encoding fallback.
    public var notices: [String] {
        get async { await cursor.notices }
    }

    /// The next chunk in input order, or nil at the end. Throws only what no record can carry
    /// (cancellation); a file that cannot be read becomes a rejected record naming it.
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
        window.append(Task { () throws -> RecordChunk? in
            guard let raw = try await read.value else { return nil }
            return await RecordStream.map(raw, spec: specs[raw.sourceIndex], workers: workers, keepSource: keepSource)
        })
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
