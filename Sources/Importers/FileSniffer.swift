/// What a file's first bytes say it is, so the pipeline can tell a user "this file looks like JSON;
/// the mapping expects CSV" before a reader gives a confusing error (21 missing headers, "Document
/// is empty"). A guess from the first bytes only: cheap, and never a reason to refuse a file alone.
public enum SniffedFormat: String, Sendable, Hashable {
    case json
    case xml
    case csv
    /// Compressed with gzip; `FileSniff.content` says what is inside.
    case gzip
    /// No bytes, or only white space (and a BOM).
    case empty
    /// NUL bytes in text without a wide BOM: binary, or UTF-16 without its BOM.
    case binary

    /// How a message names it: "JSON", "XML", "CSV", …
    public var displayName: String {
        switch self {
        case .json: "JSON"
        case .xml: "XML"
        case .csv: "CSV"
        case .gzip: "gzip"
        case .empty: "empty"
        case .binary: "binary (not text)"
        }
    }

    /// Whether a reader of `format` reads this kind of content.
    public func fits(_ format: ImportFormat) -> Bool {
        switch (self, format) {
        case (.json, .json), (.json, .ndjson), (.xml, .xml), (.xml, .cmtXML), (.csv, .csv): true
        case (.empty, _): true
        default: false
        }
    }
}

/// The sniff of one file: its outer format and, for gzip, what the decompressed start looks like.
public struct FileSniff: Sendable, Hashable, CustomStringConvertible {
    /// `.gzip` for a compressed file, else the same as `content`.
    public var outer: SniffedFormat
    /// What the (decompressed) text looks like.
    public var content: SniffedFormat

    public var description: String {
        outer == .gzip ? "gzip-compressed \(content.displayName)" : content.displayName
    }
}

public enum FileSniffer {
    /// Sniffs the start of the file at `path` (looking inside gzip). Reads at most a few KB.
    public static func sniff(path: String) throws -> FileSniff {
        let source = try ByteSources.open(path)
        var head: [UInt8] = []
        while head.count < 4096, try source.read(into: &head, count: 4096 - head.count) > 0 {}
        let content = sniff(bytes: head)
        return FileSniff(outer: source is GzipByteSource ? .gzip : content, content: content)
    }

    /// Sniffs bytes as they begin a file: the gzip magic, a BOM (UTF-8/16/32), then the first byte
    /// that is not white space: `{` or `[` is JSON, `<` is XML, other text is CSV.
    public static func sniff<Bytes: Collection<UInt8>>(bytes: Bytes) -> SniffedFormat {
        var head = Array(bytes.prefix(4096))
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        var width = 1
        if head.starts(with: [0xEF, 0xBB, 0xBF]) {
            head.removeFirst(3)
        } else if head.starts(with: [0xFF, 0xFE, 0, 0]) || head.starts(with: [0, 0, 0xFE, 0xFF]) {
            head.removeFirst(4)
            width = 4
        } else if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            head.removeFirst(2)
            width = 2
        }
        // Wide text: the ASCII we look for is what remains without its zero bytes.
        if width > 1 { head.removeAll { $0 == 0 } }
        guard let first = head.first(where: { ![32, 9, 10, 13].contains($0) }) else { return .empty }
        // NUL in narrow text: binary, or UTF-16 without a BOM (other control bytes do occur in
        // real CSV fields, e.g. RTF pasted into a description).
        if width == 1, head.contains(0) { return .binary }
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        case UInt8(ascii: "<"): return .xml
        default: return .csv
        }
    }
}
