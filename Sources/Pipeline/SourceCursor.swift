import Foundation
import Importers
import Mapping

/// Where the stream is in its sources and files: the reading side of `RecordStream`.
///
/// An actor, so the readers (classes that are not thread-safe) are used by one task at a time
/// without a lock of our own. A batch never spans two sources: a chunk has one ledger system.
actor SourceCursor {
    private let sources: [StreamSource]
    private let chunkSize: Int
    private let deferDecoding: Bool
    private var remaining: Int
    private var sourceIndex = 0
    private var fileIndex = 0
    private var reader: RecordReader?
    /// Items the current file has yielded, to tell an empty file from a short one.
    private var itemsInFile = 0
    /// Bytes of the files finished so far, for progress.
    private var bytesBefore: Int64 = 0
    private(set) var notices: [String] = []

    /// - Parameter deferDecoding: CSV records come undecoded (`ImportOptions.deferDecoding`).
    init(sources: [StreamSource], limit: Int, chunkSize: Int, deferDecoding: Bool = false) {
        self.deferDecoding = deferDecoding
        self.sources = sources
        self.remaining = limit
        self.chunkSize = chunkSize
    }

    /// Up to `chunkSize` items of the current source, or nil at the end of every source.
    func nextBatch() throws -> RawBatch? {
        while sourceIndex < sources.count {
            try Task.checkCancellation()
            let source = sources[sourceIndex]
            let items = ItemBatch(capacity: min(chunkSize, remaining))
            while items.count < chunkSize, remaining > 0, fileIndex < source.files.count {
                let file = source.files[fileIndex]
                if reader == nil {
                    itemsInFile = 0
                    do {
                        // With a ledger, undecoded: a record the ledger settles is never decoded
                        // (see `Mapper.probe`); the others are decoded by the mapping threads.
                        // Without one, the reader decodes with its cache of recent texts (a
                        // preview of 500k CSV leads took 3 % longer decoded by the mappers).
                        var options = source.spec.source.importOptions
                        options.deferDecoding = deferDecoding
                        reader = try RecordReader(paths: [file], options: options)
                    } catch {
                        items.append(Self.fileRejected(file, "the file cannot be read, none of it was sent: \(Self.text(of: error, file: file))"))
                        remaining -= 1
                        finishFile(file)
                        continue
                    }
                }
                guard let reader else { continue }
                do {
                    if let item = try reader.next() {
                        // A saved Web API error body, or a file the mapping does not fit at all:
                        // one reject for the whole file, not one per record.
                        if itemsInFile == 0, let problem = Self.savedErrorAnswer(item) ?? Self.misfit(item, spec: source.spec) {
                            items.append(Self.fileRejected(file, problem))
                            remaining -= 1
                            finishFile(file)
                            continue
                        }
                        if itemsInFile == 0, let hint = Self.annotationHint(item, spec: source.spec) { notices.append("\(file): \(hint)") }
                        items.append(item)
                        itemsInFile += 1
                        remaining -= 1
                        continue
                    }
                    if itemsInFile == 0, !source.allowEmpty {
                        items.append(Self.fileRejected(file, Self.emptyFileReason(source: source, entities: reader.cmtEntities[file])))
                        remaining -= 1
                    }
                } catch {
                    // The reader cannot go on in this file (say, XML that is no longer well-formed):
                    // what it delivered stands, the rest of the file is reported once, here.
                    items.append(Self.fileRejected(file, "reading stopped after record \(itemsInFile): \(Self.text(of: error, file: file)); the records after this point were not read"))
                    remaining -= 1
                }
                finishFile(file)
            }
            let bytes = bytesBefore + (reader?.bytesRead ?? 0)
            if !items.isEmpty { return RawBatch(sourceIndex: sourceIndex, items: items, bytesRead: bytes) }
            if remaining <= 0 { return nil }
            sourceIndex += 1
            fileIndex = 0
        }
        return nil
    }

    /// Done with `file`: its reader's notices are kept, its size counted for progress.
    private func finishFile(_ file: String) {
        if let reader { notices += reader.notices.map { "\(file): \($0)" } }
        bytesBefore += (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
        reader = nil
        fileIndex += 1
    }

    /// A problem with a whole file, as one rejected item that names it.
    static func fileRejected(_ file: String, _ reason: String) -> ImportItem {
        .rejected(RejectedRecord(location: SourceLocation(file: file, record: 0), reason: reason))
    }

    /// The reader's errors already start with the file; the report names it once.
    static func text(of error: any Error, file: String) -> String {
        let text = "\(error)"
        return text.hasPrefix(file + ": ") ? String(text.dropFirst(file.count + 2)) : text
    }

    /// For JSON and XML, where each record names its own fields: when the first record has none of
    /// the fields the mapping reads (not its id, not any other), the mapping is for another export.
    /// A record that merely lacks its id still has other fields, and is rejected alone.
    static func misfit(_ item: ImportItem, spec: MappingSpec) -> String? {
        guard case .record(let record) = item, !record.names.isEmpty else { return nil }
        let format = spec.source.importOptions.format ?? ImportFormat.forPath(record.location.file)
        guard format != .csv, !spec.keyFields.isEmpty else { return nil }
        let names = Set(record.names.map { $0.lowercased() })
        guard !spec.sourceFieldNames.contains(where: { names.contains($0.lowercased()) }) else { return nil }
        let sample = record.names.prefix(8).joined(separator: ", ")
        return "the mapping \(spec.file) does not fit this file: its first record has no \(spec.keyFields.map { "'\($0)'" }.joined(separator: " or ")) (the record id) but \(sample)\(record.names.count > 8 ? ", …" : ""); use the mapping for this export, or fix `key:`"
    }

    /// `formatted: true` reads OData annotations; an export made without them has none.
    static func annotationHint(_ item: ImportItem, spec: MappingSpec) -> String? {
        guard spec.readsFormattedValues, case .record(let record) = item, !record.names.isEmpty,
            !record.names.contains(where: { $0.hasSuffix("@OData.Community.Display.V1.FormattedValue") })
        else { return nil }
        return "the mapping reads formatted values (`formatted: true`) but this export has no OData annotations: export with the header `Prefer: odata.include-annotations=\"*\"`, or the raw values are used"
    }

    /// A record that is a Web API error answer (`{"error":{"code":…,"message":…}}`) saved as a file.
    static func savedErrorAnswer(_ item: ImportItem) -> String? {
        guard case .record(let record) = item, !record.names.isEmpty,
            record.names.allSatisfy({ $0.hasPrefix("error.") || $0.hasPrefix("@odata") }),
            let message = record["error.message"]?.text
        else { return nil }
        let code = record["error.code"]?.text.map { "\($0): " } ?? ""
        return "this file is a saved Web API error answer, not records: \(code)\(message). Export again; the answer says why the request failed"
    }

    static func emptyFileReason(source: StreamSource, entities: [String]? = nil) -> String {
        let options = source.spec.source.importOptions
        if let entity = options.entity, let entities, !entities.contains(where: { $0.caseInsensitiveCompare(entity) == .orderedSame }) {
            let has = entities.isEmpty ? "no entity at all" : "only " + entities.map { "'\($0)'" }.joined(separator: ", ")
            return "no record in this file: it has no '\(entity)' entity (the mapping's source.entity), it has \(has). Use a mapping for one of those, or export the \(entity) entity"
        }
        var causes = ["the file is empty or holds only a header"]
        if let entity = options.entity { causes.append("it has no '\(entity)' entity (the mapping's source.entity)") }
        if let element = options.recordElement { causes.append("it has no <\(element)> element (the mapping's source.recordElement)") }
        if options.encoding != .auto { causes.append("source.encoding \(options.encoding.rawValue) does not fit it") }
        return "no record in this file: " + causes.joined(separator: ", or ") + ". Set `allowEmpty: true` on the job's source if an empty file is expected"
    }
}
