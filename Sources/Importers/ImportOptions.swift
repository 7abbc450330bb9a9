/// The export formats refbridge reads.
public enum ImportFormat: String, Sendable, Hashable, CaseIterable {
    case csv
    /// A JSON document: a Web API (OData) page, a top-level array, or objects one after another.
    case json
    /// One JSON object a line.
    case ndjson
    /// A Configuration Migration Tool `data.xml`.
    case cmtXML = "cmt-xml"
    /// Generic record XML: the user names the record element.
    case xml

    /// The format a file name implies (`.gz` looked through), or nil.
    public static func forPath(_ path: String) -> ImportFormat? {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") || name.hasSuffix(".tsv") || name.hasSuffix(".txt") { return .csv }
        if name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl") { return .ndjson }
        if name.hasSuffix(".json") { return .json }
        if name.hasSuffix(".xml") { return .xml }
        return nil
    }
}

/// The text encoding of a CSV file.
public enum TextEncodingOption: String, Sendable, Hashable, CaseIterable {
    /// A BOM decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE); without one, UTF-8, falling back to
    /// Windows-1252 (with a notice) when the start of the file is not valid UTF-8. A BOM also wins
    /// over an explicit encoding that contradicts it (with a notice).
    case auto
    case utf8 = "utf-8"
    case utf16le = "utf-16le"
    case utf16be = "utf-16be"
    /// UTF-32 is also found by its BOM under `auto`.
    case utf32le = "utf-32le"
    case utf32be = "utf-32be"
    case windows1252 = "windows-1252"
}

/// How to read an export. The defaults read the common exports as they come.
public struct ImportOptions: Sendable, Hashable {
    /// nil: by extension (and, for `.xml`, by the root element: `entities` is a CMT file).
    public var format: ImportFormat?
    public var encoding: TextEncodingOption
    /// CSV field separator; nil sniffs `,` `;` or tab from the header line.
    public var delimiter: UInt8?
    /// CMT: read only this entity (e.g. `lead`); nil reads every entity.
    public var entity: String?
    /// Generic XML: the element that holds one record.
    public var recordElement: String?
    /// The most bytes one record may take in the file (UTF-8 after transcoding). A bigger record is
    /// rejected with its place, skipped without being held, and reading goes on: no input makes the
    /// reader hold more than about twice this. Real exports stay far below the default.
    public var maxRecordBytes: Int
    /// The most bytes one field's value may take; a record with a bigger one is rejected.
    public var maxFieldBytes: Int
    /// The most a `.gz` file may inflate, as uncompressed bytes per compressed byte, once past
    /// `ImportOptions.gzipRatioFloor` of output. Text exports deflate 5-50×; a bomb, about 1,000×.
    public var maxGzipRatio: Int
    /// The fields the consumer reads, lower-cased (`MappingSpec` sets the mapping's fields and their
    /// OData labels); nil reads every field. A CSV reader makes a value only for the columns named
    /// here and leaves the others `.null`: the text of a column no one reads was a `String` made and
    /// freed for nothing. Every column is still scanned and checked as before (field count, UTF-8,
    /// limits), so a record is rejected or not, with the same reason, whatever this holds. The CMT
    /// reader does the same for a `<field>`'s value and its lookup's names; the other readers
    /// ignore it.
    public var readFields: Set<String>?
    /// Leave a CSV record's values undecoded (`SourceRecord.deferred`) until the consumer calls
    /// `materialize()`: for a consumer that may not need them (the record stream, which asks the
    /// ledger first). Off, every record comes with its values. The other readers ignore it.
    public var deferDecoding = false

    public static let defaultMaxRecordBytes = 16 << 20
    public static let defaultMaxFieldBytes = 16 << 20
    public static let defaultMaxGzipRatio = 200
    /// Output below this size is never refused for its ratio: small files of repeated rows deflate
    /// well beyond any ratio a bomb needs, and cost nothing to read.
    public static let gzipRatioFloor: Int64 = 64 << 20

    public init(
        format: ImportFormat? = nil, encoding: TextEncodingOption = .auto, delimiter: UInt8? = nil, entity: String? = nil, recordElement: String? = nil,
        maxRecordBytes: Int = ImportOptions.defaultMaxRecordBytes, maxFieldBytes: Int = ImportOptions.defaultMaxFieldBytes, maxGzipRatio: Int = ImportOptions.defaultMaxGzipRatio,
        readFields: Set<String>? = nil
    ) {
        self.format = format
        self.encoding = encoding
        self.delimiter = delimiter
        self.entity = entity
        self.recordElement = recordElement
        // At least 1 KB a record: a smaller limit would refuse headers, not protect memory.
        self.maxRecordBytes = max(1024, maxRecordBytes)
        self.maxFieldBytes = max(1, maxFieldBytes)
        self.maxGzipRatio = max(1, maxGzipRatio)
        self.readFields = readFields
    }
}

/// A problem that stops a file before any record: it names the file and the fix.
public struct ImportError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
