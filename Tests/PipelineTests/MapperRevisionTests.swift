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
    static let pinned = (revision: 1, output: "e8240a91b4e645c38ac00a693bd86131")

    @Test func thePresetsOutputIsPinnedToTheRevision() async throws {
        // Through `PayloadHash`, whose function never changes (ledgers keep its values).
        var output: [UInt8] = []
        for (preset, samples) in PresetSamples.pairs {
            let spec = try MappingSpec.load(path: PresetSamples.preset(preset))
            let files = samples.map(PresetSamples.sample)
            let stream = try RecordStream(sources: [StreamSource(files: files, spec: spec)])
            while let chunk = try await stream.next() {
                for record in chunk.records {
                    output += (record.externalId ?? "-").utf8
                    output.append(0)
                    switch record.outcome {
                    case .mapped(let mapped): output += mapped.json
                    default: output += (record.reason ?? "").utf8
                    }
                    output.append(0)
                }
            }
        }
        let digest = PayloadHash.of(output)
        #expect(
            Mapper.outputRevision == Self.pinned.revision && digest == Self.pinned.output,
            """
            the presets' samples now map to \(digest) at revision \(Mapper.outputRevision) (pinned: \(Self.pinned.output) at \
            \(Self.pinned.revision)). If the output changed on purpose, bump Mapper.outputRevision and pin both here.
            """)
    }
}
