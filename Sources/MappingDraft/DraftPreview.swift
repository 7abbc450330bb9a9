public import Pipeline
import Mapping

/// Tries a draft on the export it was drafted from, through the same record stream `preview` and
/// `sync` read, so the user sees at once what it maps, skips and rejects.
public enum DraftPreview {
    public struct Summary: Sendable {
        public var counts: StreamCounts
        /// Skip rule reason → records it skipped (a mapping has a handful of rules: bounded).
        public var skipReasons: [String: Int] = [:]
    }

    /// Streams every record of `files` (memory stays bounded by the stream's chunks) through the
    /// draft with consent stated as given (`DraftMapping.yamlForPreview`), and counts the outcomes.
    /// Throws the loader's or the stream's error when the draft does not fit (a bug worth reporting).
    public static func run(_ draft: DraftMapping, files: [String], mappingFile: String) async throws -> Summary {
        let spec = try MappingSpec.parse(yaml: draft.yamlForPreview, file: mappingFile)
        let stream = try RecordStream(sources: [StreamSource(files: files, spec: spec)])
        var skipReasons: [String: Int] = [:]
        while let chunk = try await stream.next() {
            for record in chunk.records {
                if case .skipped(let reason) = record.outcome { skipReasons[reason, default: 0] += 1 }
            }
        }
        return Summary(counts: stream.counts, skipReasons: skipReasons)
    }
}
