import Foundation
import Importers
import Mapping
import MappingDraft
import Pipeline

/// Helpers shared by the draft tests: the package's samples and presets, a scratch folder, and
/// consent filled in as a user would.
enum DraftTestSupport {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func sample(_ name: String) -> String { root.appendingPathComponent("samples/\(name)").path }
    static func preset(_ name: String) -> String { root.appendingPathComponent("mappings/\(name).yaml").path }

    /// A scratch folder, removed by the caller.
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("draft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The consent rules of a preset, as text (the `consent.` entries of its `fields:` with their
    /// indented lines): what a user writes when they state where consent comes from.
    static func consentRules(ofPreset path: String) throws -> [String] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var rules: [String] = []
        var inside = false
        for line in lines {
            if line.hasPrefix("  consent.") {
                inside = true
            } else if inside, !(line.hasPrefix("    ")) {
                inside = false
            }
            if inside { rules.append(line) }
        }
        return rules
    }

    /// The draft with `rules` written right after its REVIEW (required) consent comments, as a
    /// user fills that item in an editor.
    static func fillingConsent(_ yaml: String, with rules: [String]) -> String {
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard var index = lines.firstIndex(where: { $0.hasPrefix("  # REVIEW (required)") }) else { return yaml + rules.joined(separator: "\n") + "\n" }
        while index < lines.count, lines[index].hasPrefix("  #") { index += 1 }
        lines.insert(contentsOf: rules, at: index)
        return lines.joined(separator: "\n")
    }

    enum Outcome: String { case mapped, skipped, rejected }

    /// Every record's outcome under `spec`, by its place in the input.
    static func outcomes(_ spec: MappingSpec, files: [String]) async throws -> [String: (Outcome, String?)] {
        let stream = try RecordStream(sources: [StreamSource(files: files, spec: spec)])
        var outcomes: [String: (Outcome, String?)] = [:]
        while let chunk = try await stream.next() {
            for record in chunk.records {
                let outcome: Outcome
                switch record.outcome {
                case .mapped: outcome = .mapped
                case .skipped: outcome = .skipped
                case .rejected: outcome = .rejected
                }
                outcomes[record.location.description] = (outcome, record.reason)
            }
        }
        return outcomes
    }
}
