import Foundation
import Importers
import Mapping
import MappingDraft
import Fixtures
import Testing

/// The issue's measure: on each preset's sample, with no preset to look at, `init`'s draft — once
/// only its consent REVIEW item is filled (with the consent rules the preset states) — gives at
/// least 95 % of the records the same outcome (mapped, skipped or rejected) as the shipped preset.
@Suite struct PresetAgreementTests {
    @Test(arguments: PresetSamples.pairs)
    func draftAgreesWithThePreset(preset: String, samples: [String]) async throws {
        let folder = try DraftTestSupport.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The samples are copied away from the repository: the drafter sees the export only.
        let files = try samples.map { name in
            let copy = folder.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: DraftTestSupport.sample(name), toPath: copy)
            return copy
        }
        try await Self.agree(preset: preset, files: files, folder: folder, label: samples.joined(separator: "+"))
    }

    /// 10,000 leads made from the Excel sample, with rejects (no id, consent neither yes nor no),
    /// skips and duplicate ids among them: more records than the draft samples (5,000).
    @Test func aGeneratedExportWithRejectsSkipsAndDuplicates() async throws {
        let folder = try DraftTestSupport.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = try String(contentsOfFile: DraftTestSupport.sample("dynamics-leads.csv"), encoding: .utf8)
            .split(separator: "\r\n", omittingEmptySubsequences: true).flatMap { $0.split(separator: "\n") }.map(String.init)
        let rows = lines.dropFirst().filter { $0.hasPrefix("000000d1-") }
        var text = lines[0] + "\n"
        var lastId = ""
        for index in 0..<10_000 {
            var row = rows[rows.index(rows.startIndex, offsetBy: index % rows.count)]
            guard let comma = row.firstIndex(of: ",") else { continue }
            var id = String(format: "%08x-0000-4000-8000-%012x", index, index)
            if index % 89 == 5 { id = "" }
            if index % 101 == 7 { id = lastId }
            lastId = id.isEmpty ? lastId : id
            row = id + row[comma...]
            if index % 97 == 3, row.hasSuffix(",Yes") { row = String(row.dropLast(3)) + "Perhaps" }
            text += row + "\n"
        }
        let path = folder.appendingPathComponent("leads-10k.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let sample = try ExportSample.read([path])
        #expect(sample.records == ExportSample.defaultLimit && sample.reachedLimit)
        try await Self.agree(preset: "dynamics-lead-excel-csv", files: [path], folder: folder, label: "generated 10k", expectRejects: true)
    }

    static func agree(preset: String, files: [String], folder: URL, label: String, expectRejects: Bool = false) async throws {
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

        let ours = try await DraftTestSupport.results(drafted, files: files)
        let theirs = try await DraftTestSupport.results(shipped, files: files)
        #expect(ours.count == theirs.count && !ours.isEmpty)
        var same = 0
        var sameReferral = 0
        var mappedByBoth = 0
        var differences: [String] = []
        for (place, result) in theirs {
            guard let other = ours[place], other.outcome == result.outcome else {
                differences.append("\(place): preset \(result.outcome.rawValue) (\(result.reason ?? "")), draft \(ours[place]?.outcome.rawValue ?? "none") (\(ours[place]?.reason ?? ""))")
                continue
            }
            same += 1
            if result.outcome == .mapped {
                mappedByBoth += 1
                // Beyond the outcome: the same referral, but for the co-sell choice left to the user.
                if DraftTestSupport.comparable(other.referral) == DraftTestSupport.comparable(result.referral) { sameReferral += 1 }
            }
        }
        let share = Double(same) / Double(max(1, theirs.count))
        let rejected = theirs.values.filter { $0.outcome == .rejected }.count
        print("init agreement \(preset) on \(label): \(same)/\(theirs.count) = \(Int((share * 100).rounded())) % same outcome (preset rejects \(rejected)); identical referral (type/target aside) for \(sameReferral)/\(mappedByBoth) mapped by both")
        #expect(share >= 0.95, "\(preset): \(differences.sorted().prefix(20).joined(separator: "\n"))\n\(filled)")
        #expect(!expectRejects || rejected > 0)
    }
}
