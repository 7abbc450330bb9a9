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
    /// A BOM decides (UTF-8, UTF-16 LE/BE); without one, UTF-8, falling back to Windows-1252 (with a
    /// notice) when the start of the file is not valid UTF-8.
    case auto
    case utf8 = "utf-8"
    case utf16le = "utf-16le"
    case utf16be = "utf-16be"
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

    public init(format: ImportFormat? = nil, encoding: TextEncodingOption = .auto, delimiter: UInt8? = nil, entity: String? = nil, recordElement: String? = nil) {
        self.format = format
        self.encoding = encoding
        self.delimiter = delimiter
        self.entity = entity
        self.recordElement = recordElement
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
