import Foundation
import Importers
import Mapping
import Referrals

/// One input record after reading and mapping, before the ledger is asked about it.
enum ReadItem: Sendable {
    case mapped(MappedWork)
    /// Refused by the reader or the mapping; with an external id, the ledger notes it.
    case rejected(externalId: String?, source: String, reason: String, noteInLedger: Bool)
    case skipped(externalId: String?, source: String, reason: String)
    /// The same external id again in the input.
    case duplicate(externalId: String, source: String, reason: String)
}

/// Up to `SyncJob.batchSize` mapped records of one source (plus the others read among them), in
/// input order: the unit the planning side asks the ledger about in one query.
struct ReadChunk: Sendable {
    var system: String
    var items: [ReadItem] = []
    var mappedCount = 0
    /// Records read, counted when the chunk is planned.
    var read = 0
    /// Input bytes read so far, all files together, for the progress ETA.
    var bytesDone: Int64 = 0
}

/// The reading side of the main pass: reads every source, maps and encodes each record, and hands
/// chunks to the planning side through `channel`. It runs in a task of its own so that reading and
/// mapping (one core) overlap the ledger, the reports and the uploads (the other).
struct SourceReading: Sendable {
    struct Source: Sendable {
        var files: [String]
        var spec: MappingSpec
        var system: String { spec.sourceSystem }
    }

    var sources: [Source]
    var limit: Int?
    var batchSize: Int
    var fileSize: @Sendable (String) -> Int64

    func run(into channel: BoundedChannel<ReadChunk>) async {
        do {
            try await produce(channel)
        } catch {
            // The planning side closed the channel (the run aborted): stop reading.
        }
        channel.finish()
    }

    private func produce(_ channel: BoundedChannel<ReadChunk>) async throws {
        var remaining = limit ?? Int.max
        var bytesBefore: Int64 = 0
        var duplicates = DuplicateKeys()
        for source in sources {
            // A mapper of our own: it caches per-header lookups and is not shared across tasks.
            let mapper = Mapper(source.spec)
            var chunk = ReadChunk(system: source.system)
            func send(_ bytesDone: Int64) async throws {
                chunk.bytesDone = bytesDone
                try await channel.send(chunk)
                chunk = ReadChunk(system: source.system)
                chunk.items.reserveCapacity(batchSize + 16)
            }
            for file in source.files {
                let reader: RecordReader
                do {
                    reader = try RecordReader(paths: [file], options: source.spec.source.importOptions)
                } catch {
                    chunk.items.append(.rejected(externalId: nil, source: file, reason: "the file could not be read, no record of it was sent: \(error)", noteInLedger: false))
                    continue
                }
                while remaining > 0 {
                    let item: ImportItem?
                    do {
                        item = try reader.next()
                    } catch {
                        chunk.items.append(.rejected(externalId: nil, source: file, reason: "reading stopped: \(error)", noteInLedger: false))
                        break
                    }
                    guard let item else { break }
                    remaining -= 1
                    chunk.read += 1
                    chunk.items.append(Self.map(item, mapper: mapper, duplicates: &duplicates))
                    if case .mapped = chunk.items.last { chunk.mappedCount += 1 }
                    if chunk.mappedCount >= batchSize {
                        try Task.checkCancellation()
                        try await send(bytesBefore + Int64(reader.bytesRead))
                    }
                }
                bytesBefore += fileSize(file)
                if remaining <= 0 { break }
            }
            if !chunk.items.isEmpty || chunk.read > 0 { try await send(bytesBefore) }
            if remaining <= 0 { break }
        }
    }

    static func map(_ item: ImportItem, mapper: Mapper, duplicates: inout DuplicateKeys) -> ReadItem {
        switch item {
        case .rejected(let rejected):
            return .rejected(externalId: nil, source: rejected.location.description, reason: rejected.reason, noteInLedger: false)
        case .record(let record):
            let location = record.location.description
            switch mapper.map(record) {
            case .skipped(let externalId, let reason):
                return .skipped(externalId: externalId, source: location, reason: reason)
            case .rejected(let externalId, let issues):
                let reason = issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
                return .rejected(externalId: externalId, source: location, reason: reason, noteInLedger: externalId != nil)
            case .mapped(let mapped):
                if let first = duplicates.firstSeen(mapped.externalReferenceId, at: record.location) {
                    return .duplicate(externalId: mapped.externalReferenceId, source: location, reason: "duplicate external id: also at \(first); only the first is sent")
                }
                let bytes = ReferralJSON.encode(mapped.referral)
                return .mapped(MappedWork(externalId: mapped.externalReferenceId, source: location, referral: mapped.referral, payloadHash: PayloadHash.of(bytes)))
            }
        }
    }
}
