import Foundation

@testable import Importers

/// Writes a fixture to a temporary file and reads it back through `RecordReader`.
enum Fixture {
    /// The run's fixtures, one folder each under this one, which goes when the test process exits:
    /// a folder per fixture left behind was some 160 folders in the temporary directory a run.
    private static let root: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("importers-\(UUID().uuidString)")
        atexit { try? FileManager.default.removeItem(at: Fixture.root) }
        return root
    }()

    static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        // A folder per fixture: tests run in parallel, and many name their file `leads.csv`.
        let folder = root.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    static func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }

    /// Every item of the files, in order.
    static func read(_ paths: [String], _ options: ImportOptions = ImportOptions()) throws -> (records: [SourceRecord], rejected: [RejectedRecord], reader: RecordReader) {
        let reader = try RecordReader(paths: paths, options: options)
        var records: [SourceRecord] = []
        var rejected: [RejectedRecord] = []
        while let item = try reader.next() {
            switch item {
            case .record(let record): records.append(record)
            case .rejected(let rejection): rejected.append(rejection)
            }
        }
        return (records, rejected, reader)
    }

    /// Like `read`, but gives up after `limit` items, so a reader that stands still fails the test
    /// instead of hanging it; `ended` says whether the reader came to its end.
    static func readBounded(_ name: String, _ bytes: [UInt8], _ options: ImportOptions = ImportOptions(), limit: Int = 1_000) throws -> (records: [SourceRecord], rejected: [RejectedRecord], ended: Bool) {
        let reader = try RecordReader(paths: [try file(name, bytes)], options: options)
        var records: [SourceRecord] = []
        var rejected: [RejectedRecord] = []
        for _ in 0..<limit {
            guard let item = try reader.next() else { return (records, rejected, true) }
            switch item {
            case .record(let record): records.append(record)
            case .rejected(let rejection): rejected.append(rejection)
            }
        }
        return (records, rejected, false)
    }

    static func read(_ name: String, _ text: String, _ options: ImportOptions = ImportOptions()) throws -> (records: [SourceRecord], rejected: [RejectedRecord], reader: RecordReader) {
        try read([try file(name, text)], options)
    }

    static func fixtures() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }
}

extension SourceRecord {
    func text(_ name: String) -> String? { self[name]?.text }
}

/// Bytes made on demand, so a test can feed a reader megabytes without holding them, and learn the
/// most the reader ever held in its buffer when asking for more.
final class GeneratedSource: ByteSource {
    enum Part {
        case text(String)
        case fill(UInt8, Int)
        /// `text` repeated `count` times.
        case rows(String, Int)
    }

    private var parts: [Part]
    private(set) var consumed: Int64 = 0
    /// The largest buffer the reader passed in (before our bytes were added).
    private(set) var largestBuffer = 0

    init(_ parts: [Part]) { self.parts = parts }

    func read(into buffer: inout [UInt8], count: Int) throws -> Int {
        largestBuffer = max(largestBuffer, buffer.count)
        let before = buffer.count
        while buffer.count - before < count, let part = parts.first {
            let room = count - (buffer.count - before)
            switch part {
            case .text(let text):
                buffer.append(contentsOf: text.utf8)
                parts.removeFirst()
            case .fill(let byte, let left):
                let take = min(room, left)
                buffer.append(contentsOf: repeatElement(byte, count: take))
                if take == left { parts.removeFirst() } else { parts[0] = .fill(byte, left - take) }
            case .rows(let text, let left):
                let take = max(1, min(left, room / max(1, text.utf8.count)))
                for _ in 0..<take { buffer.append(contentsOf: text.utf8) }
                if take == left { parts.removeFirst() } else { parts[0] = .rows(text, left - take) }
            }
        }
        consumed += Int64(buffer.count - before)
        return buffer.count - before
    }
}

extension FormatReader {
    /// Every item to the end.
    func readAll() throws -> (records: [SourceRecord], rejected: [RejectedRecord]) {
        var records: [SourceRecord] = []
        var rejected: [RejectedRecord] = []
        while let item = try next() {
            switch item {
            case .record(let record): records.append(record)
            case .rejected(let rejection): rejected.append(rejection)
            }
        }
        return (records, rejected)
    }
}
