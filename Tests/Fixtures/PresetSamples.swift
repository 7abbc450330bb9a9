public import Foundation

/// The presets in `mappings/` and the samples in `samples/` each previews: the pairs several suites
/// run over (preview without rejects, outcome agreement, the mapper's revision pin, drafts).
public enum PresetSamples {
    /// The repository's root, from this file's place in it.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let pairs: [(preset: String, samples: [String])] = [
        ("dynamics-lead-excel-csv", ["dynamics-leads.csv"]),
        ("dynamics-lead-webapi-json", ["dynamics-leads-webapi-page1.json", "dynamics-leads-webapi-page2.json"]),
        ("dynamics-lead-webapi-json", ["dynamics-leads.ndjson"]),
        ("dynamics-lead-cmt-xml", ["dynamics-leads-data.xml"]),
        ("dynamics-opportunity-webapi-json", ["dynamics-opportunities.json"]),
        ("salesforce-lead-csv", ["salesforce-leads.csv"]),
    ]

    public static func preset(_ name: String) -> String { root.appendingPathComponent("mappings/\(name).yaml").path }
    public static func sample(_ name: String) -> String { root.appendingPathComponent("samples/\(name)").path }
}
