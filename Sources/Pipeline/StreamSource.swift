import Foundation
import Importers
public import Mapping

/// One source of a run: its files (read as one stream, in order) and the mapping for them.
public struct StreamSource: Sendable {
    public var files: [String]
    public var spec: MappingSpec
    /// A file that yields no record is an error unless the job allows it (a nightly delta may be empty).
    public var allowEmpty: Bool

    public init(files: [String], spec: MappingSpec, allowEmpty: Bool = false) {
        self.files = files
        self.spec = spec
        self.allowEmpty = allowEmpty
    }

    public var system: String { spec.sourceSystem }
}

/// A problem found before any record is read: the mapping names columns a file lacks, or a file
/// cannot be opened at all. `preview` and `sync` stop on it with exit 2 before anything is sent.
public struct SourceProblems: Error, CustomStringConvertible, Sendable {
    public var problems: [MappingLoadError]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension StreamSource {
    /// Checks every file's header against the mapping before any record is read, so that `preview`,
    /// `sync --dry-run` and `sync` stop alike (and before any API call) on a column the export lacks.
    /// Only formats with a header (CSV) are checked: JSON and XML leave out empty fields.
    public func checkHeaders() throws {
        var problems: [MappingLoadError] = []
        for file in files {
            if let mismatch = Self.formatMismatch(file, options: spec.source.importOptions, mapping: spec.file) {
                problems.append(MappingLoadError(file: file, line: 1, message: mismatch))
                continue
            }
            guard let header = try Self.header(of: file, options: spec.source.importOptions) else { continue }
            let missing = spec.check(header: header)
            if !missing.isEmpty {
                problems.append(contentsOf: missing.map { problem in
                    var problem = problem
                    problem.message += " (in \(file))"
                    return problem
                })
            }
        }
        if !problems.isEmpty { throw SourceProblems(problems: problems) }
    }

    /// "this file looks like JSON; the mapping expects CSV", when the first bytes say so: one clear
    /// message instead of a reader's confusing one (21 missing headers, "Document is empty").
    static func formatMismatch(_ file: String, options: ImportOptions, mapping: String) -> String? {
        guard let expected = options.format ?? ImportFormat.forPath(file), let sniff = try? FileSniffer.sniff(path: file) else { return nil }
        guard !sniff.content.fits(expected), sniff.content != .binary else { return nil }
        let name = expected == .cmtXML || expected == .xml ? "XML" : expected == .csv ? "CSV" : "JSON"
        return "this file looks like \(sniff); the mapping \(mapping) expects \(name) (by its source.format or the file's extension): use a mapping for \(sniff.content.displayName) exports (see mappings/) or check that this is the export you meant"
    }

    /// The header of `file`, or nil for formats without one. Reading a header-only file still gives it.
    static func header(of file: String, options: ImportOptions) throws -> [String]? {
        let reader = try RecordReader(paths: [file], options: options)
        // The header is known once the first item is asked for (or the file ended).
        _ = try? reader.next()
        return reader.header
    }
}
