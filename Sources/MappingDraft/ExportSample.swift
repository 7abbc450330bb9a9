import Foundation
public import Importers

/// The first records of an export, read as the importers read them (format, encoding, CSV header,
/// OData annotations, CMT entities), profiled field by field for drafting a mapping.
///
/// Memory is bounded: at most `limit` records are looked at (the default 5,000: enough to see
/// every value of a category column, and a few seconds at most), and each field keeps at most
/// `FieldProfile.maxDistinct` distinct values. Reading stops at the limit; the rest of the file is
/// only read by the preview, which streams it.
public struct ExportSample: Sendable {
    public static let defaultLimit = 5_000
    /// The most fields profiled: a hostile file with a million columns must not grow the draft.
    static let maxFields = 2_000

    public var files: [String]
    public var format: ImportFormat
    /// CMT: the entity the sample was read from (`lead`).
    public var entity: String?
    /// CMT: the entities the file holds, in file order.
    public var entities: [String] = []
    /// The CSV header, as the reader gives it.
    public var header: [String]?
    /// The `@odata.context` of the first JSON file, when it has one (`…$metadata#leads(…)`).
    public var odataContext: String?
    /// Fields in the order first seen.
    public var fields: [FieldProfile] = []
    public var records = 0
    public var rejected = 0
    /// The sample stopped at the limit: the file holds more records.
    public var reachedLimit = false
    public var notices: [String] = []

    private var index: [String: Int] = [:]

    public func field(_ name: String) -> FieldProfile? {
        index[name.lowercased()].map { fields[$0] }
    }

    /// Reads up to `limit` records of `files` (one stream, as `preview` reads them).
    /// Throws `ImportError` when a file cannot be read at all (unknown format, not found).
    public static func read(_ files: [String], limit: Int = defaultLimit, preferredEntity: String? = nil) throws -> ExportSample {
        guard let first = files.first else { throw ImportError(file: "", message: "name at least one export file") }
        let format = try Self.format(of: first)
        var options = ImportOptions(format: format)
        var sample = ExportSample(files: files, format: format)
        if format == .xml {
            throw ImportError(file: first, message: "this XML is not a Configuration Migration data.xml (its root is not <entities>): write the mapping by hand with `recordElement:` (see docs/mapping-reference.md)")
        }
        if format == .json { sample.odataContext = Self.odataContext(of: first) }
        if format == .cmtXML {
            // Which entities the file holds: a first pass over the sample (any entity), then the
            // sample again of the chosen one only, so that accounts before the leads do not fill it.
            var probe = ExportSample(files: files, format: format)
            try probe.collect(RecordReader(paths: files, options: options), limit: limit)
            sample.entities = probe.entitiesSeen
            let wanted = [preferredEntity, "lead", "opportunity"].compactMap { $0 }.first { sample.entities.contains($0) }
            sample.entity = wanted ?? sample.entities.first
            options.entity = sample.entity
        }
        try sample.collect(RecordReader(paths: files, options: options), limit: limit)
        return sample
    }

    private var entitiesSeen: [String] {
        var seen: [String] = []
        for (value, _) in field("@entity")?.values.sorted(by: { $0.key < $1.key }) ?? [] where !seen.contains(value) { seen.append(value) }
        return seen
    }

    /// The format the importers would pick: by extension (`.xml` by its root element), else by the
    /// first bytes, so that `export.txt` holding JSON is still read.
    static func format(of file: String) throws -> ImportFormat {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ImportError(file: file, message: "cannot read this file: check the path and its permissions")
        }
        var format = ImportFormat.forPath(file)
        if format == nil || format == .csv {
            let sniff = try FileSniffer.sniff(path: file)
            switch sniff.content {
            case .json: format = .json
            case .xml: format = .xml
            case .csv: format = format ?? .csv
            case .empty: throw ImportError(file: file, message: "the file is empty: export it again with its records")
            case .binary: throw ImportError(file: file, message: "this is not a text export (binary, or UTF-16 without its BOM): save it as CSV, JSON or XML")
            case .gzip: format = format ?? .csv
            }
        }
        guard var found = format else { throw ImportError(file: file, message: "unknown format") }
        if found == .xml, rootElement(of: file) == "entities" { found = .cmtXML }
        return found
    }

    /// The first element's name in the first few KB (a CMT `data.xml` starts with `<entities>`).
    static func rootElement(of file: String) -> String? {
        guard let text = head(of: file) else { return nil }
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            guard let first = rest.first, first != "?", first != "!" else { continue }
            return String(rest.prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" })
        }
        return nil
    }

    /// The first 4 KB of a plain (not compressed) file as text, BOM and invalid bytes tolerated.
    static func head(of file: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 4096) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// `@odata.context` from the first few KB of a JSON page, without parsing the page.
    static func odataContext(of file: String) -> String? {
        guard let text = head(of: file) else { return nil }
        guard let key = text.range(of: "\"@odata.context\"") else { return nil }
        let rest = text[key.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        guard rest.first == "\"" else { return nil }
        let value = rest.dropFirst().prefix { $0 != "\"" }
        return String(value)
    }

    private mutating func collect(_ reader: RecordReader, limit: Int) throws {
        while records < limit, let item = try reader.next() {
            switch item {
            case .rejected:
                rejected += 1
            case .record(let record):
                records += 1
                add(record)
            }
        }
        if records >= limit { reachedLimit = (try? reader.next()) != nil }
        header = reader.header
        notices = reader.notices
        // A header-only CSV still names its columns.
        if let header, fields.isEmpty { for name in header { _ = slot(name) } }
    }

    private mutating func add(_ record: SourceRecord) {
        // Fields with an OData label: their own value is a code, kept apart from the labels.
        let annotated = Set(record.names.compactMap(Self.formattedBase))
        for (name, value) in zip(record.names, record.values) {
            if let base = Self.formattedBase(name) {
                guard let slot = slot(base), let text = value.text else { continue }
                fields[slot].hasFormattedValues = true
                fields[slot].add(text)
                continue
            }
            // Other annotations (etags, lookup logical names) are not fields to map.
            if name.contains("@odata.") || name.contains("@Microsoft.") { continue }
            guard let slot = slot(name), let text = value.text else { continue }
            if annotated.contains(name) {
                fields[slot].addCode(text)
            } else {
                fields[slot].add(text)
            }
        }
    }

    static let formattedSuffix = "@OData.Community.Display.V1.FormattedValue"

    static func formattedBase(_ name: String) -> String? {
        name.hasSuffix(formattedSuffix) ? String(name.dropLast(formattedSuffix.count)) : nil
    }

    private mutating func slot(_ name: String) -> Int? {
        let key = name.lowercased()
        if let slot = index[key] { return slot }
        guard fields.count < Self.maxFields, !name.isEmpty else { return nil }
        index[key] = fields.count
        fields.append(FieldProfile(name: name))
        return fields.count - 1
    }
}
