/// What each format's reader does.
protocol FormatReader: AnyObject {
    func next() throws -> ImportItem?
    var header: [String]? { get }
    var notices: [String] { get }
    var consumed: Int64 { get }
}

/// One stream of source records over one or several files (e.g. the pages of a Web API export),
/// read lazily: call `next()` until it returns nil. Every record of every file comes out as exactly
/// one `.record` or `.rejected` item.
public final class RecordReader {
    public let paths: [String]
    public let options: ImportOptions
    private var fileIndex = 0
    private var current: (any FormatReader)?
    private var consumedBefore: Int64 = 0
    private var earlierNotices: [String] = []

    /// Checks that every file exists and has a known format before anything is read.
    public init(paths: [String], options: ImportOptions = ImportOptions()) throws {
        self.paths = paths
        self.options = options
        for path in paths {
            guard let format = options.format ?? ImportFormat.forPath(path) else {
                throw ImportError(file: path, message: "unknown format: name it .csv, .json, .ndjson, .jsonl or .xml (optionally .gz), or set `format:` in the mapping's source")
            }
            if format == .xml, options.format == .xml, options.recordElement == nil {
                throw ImportError(file: path, message: "generic XML needs the record element: set `recordElement:` in the mapping's source")
            }
        }
    }

    /// The CSV header of the current file, once its first record was asked for; after the last
    /// file ended, the header of that file (a header-only file still has one).
    public var header: [String]? { current?.header ?? lastHeader }
    private var lastHeader: [String]?

    /// Things the user should know that are not errors: renamed headers, an encoding fallback.
    public var notices: [String] { earlierNotices + (current?.notices ?? []) }

    /// For each Configuration Migration file read to its end: the entities it holds, in file order,
    /// whatever the entity filter took. With a filter that took none, the pipeline can say
    /// "entity 'lead' not in file; the file has: account, contact" (a notice says it too).
    public private(set) var cmtEntities: [String: [String]] = [:]

    /// Bytes of the files read so far (compressed bytes for gzip), for progress.
    public var bytesRead: Int64 { consumedBefore + (current?.consumed ?? 0) }

    public func next() throws -> ImportItem? {
        while true {
            if current == nil {
                guard fileIndex < paths.count else { return nil }
                current = try open(paths[fileIndex])
            }
            if let item = try current!.next() { return item }
            consumedBefore += current!.consumed
            earlierNotices += current!.notices
            lastHeader = current!.header
            if let cmt = current as? CMTRecordReader { cmtEntities[paths[fileIndex]] = cmt.entitiesSeen }
            current = nil
            fileIndex += 1
        }
    }

    private func open(_ path: String) throws -> any FormatReader {
        var format = options.format ?? ImportFormat.forPath(path) ?? .csv
        if format == .xml, options.format == nil {
            // By extension: a CMT export has the root element `entities`.
            if try XMLRecordReader.rootElement(of: path) == "entities" {
                format = .cmtXML
            } else if options.recordElement == nil {
                throw ImportError(file: path, message: "this XML is not a Configuration Migration data.xml (its root is not <entities>): set `recordElement:` in the mapping's source to read generic record XML")
            }
        }
        let source = try ByteSources.open(path, maxGzipRatio: options.maxGzipRatio)
        switch format {
        case .csv: return try CSVRecordReader(file: path, source: source, options: options)
        case .json: return JSONRecordReader(file: path, source: source, lineDelimited: false, options: options)
        case .ndjson: return JSONRecordReader(file: path, source: source, lineDelimited: true, options: options)
        case .cmtXML: return CMTRecordReader(file: path, source: source, entity: options.entity, options: options)
        case .xml: return try XMLRecordReader(file: path, source: source, recordElement: options.recordElement ?? "", options: options)
        }
    }
}

