import Foundation

@testable import Importers

/// Writes a fixture to a temporary file and reads it back through `RecordReader`.
enum Fixture {
    static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("importers-\(UUID().uuidString)")
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
