import Foundation
import Importers
import Mapping
import MappingDraft
import Pipeline
import Referrals

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

    /// Every record's outcome under `spec`, by its place in the input, with the reason (skipped,
    /// rejected) and the referral (mapped).
    static func outcomes(_ spec: MappingSpec, files: [String]) async throws -> [String: (Outcome, String?)] {
        try await results(spec, files: files).mapValues { ($0.outcome, $0.reason) }
    }

    struct Result {
        var outcome: Outcome
        var reason: String?
        var referral: Referral?
    }

    static func results(_ spec: MappingSpec, files: [String]) async throws -> [String: Result] {
        let stream = try RecordStream(sources: [StreamSource(files: files, spec: spec)])
        var results: [String: Result] = [:]
        while let chunk = try await stream.next() {
            for record in chunk.records {
                switch record.outcome {
                case .mapped(let encoded): results[record.location.description] = Result(outcome: .mapped, referral: encoded.referral)
                case .skipped: results[record.location.description] = Result(outcome: .skipped, reason: record.reason)
                case .rejected: results[record.location.description] = Result(outcome: .rejected, reason: record.reason)
                case .sameAsLedger: preconditionFailure("a stream without a ledger settled \(record.location) from one")
                }
            }
        }
        return results
    }

    /// A referral without what the draft leaves to the user on purpose: the co-sell choice (type
    /// and target, which need the partner's solution profile id).
    static func comparable(_ referral: Referral?) -> Referral? {
        guard var referral else { return nil }
        referral.type = nil
        referral.target = nil
        return referral
    }
}
