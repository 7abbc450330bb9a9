import Foundation
import Importers
import Mapping
import MappingDraft
import Testing

/// The issue's measure: on each preset's sample, with no preset to look at, `init`'s draft — once
/// only its consent REVIEW item is filled (with the consent rules the preset states) — gives at
/// least 95 % of the records the same outcome (mapped, skipped or rejected) as the shipped preset.
@Suite struct PresetAgreementTests {
    @Test(arguments: [
        ("dynamics-lead-excel-csv", ["dynamics-leads.csv"]),
        ("dynamics-lead-webapi-json", ["dynamics-leads-webapi-page1.json", "dynamics-leads-webapi-page2.json"]),
        ("dynamics-lead-webapi-json", ["dynamics-leads.ndjson"]),
        ("dynamics-lead-cmt-xml", ["dynamics-leads-data.xml"]),
        ("dynamics-opportunity-webapi-json", ["dynamics-opportunities.json"]),
        ("salesforce-lead-csv", ["salesforce-leads.csv"]),
    ])
    func draftAgreesWithThePreset(preset: String, samples: [String]) async throws {
        let folder = try DraftTestSupport.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The samples are copied away from the repository: the drafter sees the export only.
        let files = try samples.map { name in
            let copy = folder.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: DraftTestSupport.sample(name), toPath: copy)
            return copy
        }
        let sample = try ExportSample.read(files)
        let draft = MappingDrafter.draft(sample)
        let draftPath = folder.appendingPathComponent("draft.yaml").path

        // As written, the draft does not load: consent is unmapped, on purpose.
        #expect(throws: (any Error).self) { try MappingSpec.parse(yaml: draft.yaml, file: draftPath) }
        #expect(draft.reviews.first?.required == true && draft.reviews.first?.path == "consent")

        let filled = DraftTestSupport.fillingConsent(draft.yaml, with: try DraftTestSupport.consentRules(ofPreset: DraftTestSupport.preset(preset)))
        let drafted = try MappingSpec.parse(yaml: filled, file: draftPath)
        let shipped = try MappingSpec.load(path: DraftTestSupport.preset(preset))
        #expect(drafted.sourceSystem == shipped.sourceSystem)

        let ours = try await DraftTestSupport.outcomes(drafted, files: files)
        let theirs = try await DraftTestSupport.outcomes(shipped, files: files)
        #expect(ours.count == theirs.count && !ours.isEmpty)
        var same = 0
        var differences: [String] = []
        for (place, (outcome, reason)) in theirs {
            if ours[place]?.0 == outcome {
                same += 1
            } else {
                differences.append("\(place): preset \(outcome.rawValue) (\(reason ?? "")), draft \(ours[place]?.0.rawValue ?? "none") (\(ours[place]?.1 ?? ""))")
            }
        }
        let share = Double(same) / Double(max(1, theirs.count))
        print("init agreement \(preset) on \(samples.joined(separator: "+")): \(same)/\(theirs.count) = \(Int((share * 100).rounded())) %")
        #expect(share >= 0.95, "\(preset): \(differences.sorted().joined(separator: "\n"))\n\(filled)")
    }
}
