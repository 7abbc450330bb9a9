public import Pipeline
import Mapping

/// Tries a draft on the export it was drafted from, through the same record stream `preview` and
/// `sync` read, so the user sees at once what it maps, skips and rejects.
public enum DraftPreview {
    /// Streams every record of `files` (memory stays bounded by the stream's chunks) through the
    /// draft with consent stated as given (`DraftMapping.yamlForPreview`), and counts the outcomes.
    /// Throws the loader's or the stream's error when the draft does not fit (a bug worth reporting).
    public static func run(_ draft: DraftMapping, files: [String], mappingFile: String) async throws -> StreamCounts {
        let spec = try MappingSpec.parse(yaml: draft.yamlForPreview, file: mappingFile)
        let stream = try RecordStream(sources: [StreamSource(files: files, spec: spec)])
        while try await stream.next() != nil {}
        return stream.counts
    }
}
