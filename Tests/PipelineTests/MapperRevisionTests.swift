import Fixtures
import Mapping
import Testing

@testable import Pipeline

/// A ledger settles an unchanged record without mapping it when the record's `SourceDigest` (which
/// includes `Mapper.outputRevision`) is the one noted when it was last mapped. A change that maps
/// some record to other bytes must bump the revision, or ledgers would keep payloads that the new
/// mapping no longer gives: this pins the presets' samples' output to the revision, and fails on a
/// change of either alone.
@Suite struct MapperRevisionTests {
    /// Revision → digest of every preset sample's mapped JSON and reject reasons, in order.
    static let pinned = (revision: 1, output: "adafec7102c679ea364189465be8bb72")

    @Test func thePresetsOutputIsPinnedToTheRevision() async throws {
        var digest = Digest128()
        for (preset, samples) in PresetSamples.pairs {
            let spec = try MappingSpec.load(path: PresetSamples.preset(preset))
            let files = samples.map(PresetSamples.sample)
            let stream = try RecordStream(sources: [StreamSource(files: files, spec: spec)])
            while let chunk = try await stream.next() {
                for record in chunk.records {
                    digest.add(record.externalId ?? "-")
                    switch record.outcome {
                    case .mapped(let mapped): digest.add(mapped.json)
                    default: digest.add(record.reason ?? "")
                    }
                }
            }
        }
        let output = digest.digest.hex
        #expect(
            Mapper.outputRevision == Self.pinned.revision && output == Self.pinned.output,
            """
            the presets' samples now map to \(output) at revision \(Mapper.outputRevision) (pinned: \(Self.pinned.output) at \
            \(Self.pinned.revision)). If the output changed on purpose, bump Mapper.outputRevision and pin both here.
            """)
    }
}
