/// A drafted mapping: every line with the reason it was written, and what is left for the user to
/// decide. `yaml` is the file `refbridge init` writes.
public struct DraftMapping: Sendable {
    public var name: String
    public var system: String
    public var producer: Producer
    public var kind: RecordKind
    /// Records looked at for the draft, and whether the file holds more.
    public var sampledRecords: Int
    public var sampleReachedLimit: Bool
    /// What the user should still decide. `required` items keep the mapping from loading.
    public var reviews: [ReviewItem] = []
    /// The referral paths filled from a source column, and the column(s).
    public var mappedFields: [String: [String]] = [:]
    /// The file's text.
    public var yaml: String = ""

    /// The file name `init` suggests: as the presets are named (`dynamics-lead-excel-csv`).
    public var suggestedFileName: String { name + ".yaml" }

    /// The text the preview loads: the draft with consent stated as given for every record, only so
    /// that the rest of the draft can be tried before the user states where consent comes from.
    /// Never written to a file.
    public var yamlForPreview: String {
        yaml + """
              consent.consentToToShareInfoWithOthers: { const: true }   # preview only
              consent.consentToContact: { const: true }   # preview only

            """
    }
}

/// Something the user should look at before a real run.
public struct ReviewItem: Sendable, Hashable, CustomStringConvertible {
    /// The mapping does not load until it is done (consent).
    public var required: Bool
    /// The referral path or mapping key it is about.
    public var path: String
    public var message: String

    public var description: String { "\(required ? "REVIEW (required)" : "REVIEW") \(path): \(message)" }
}

/// How one value is drafted: the same choices a mapping file offers (docs/mapping-reference.md).
struct DraftRule: Sendable {
    enum Origin: Sendable {
        case field(String)
        case fields([String])
        case template(String)
        case constant(String)
    }

    struct MapEntry: Sendable {
        var from: String
        var to: String
        var comment: String
    }

    var origin: Origin
    /// Options in the order written (`formatted`, `split`, `date`, `decimalComma`, …).
    var options: [(key: String, value: String)] = []
    var map: [MapEntry]?
    /// `default:` of the map: `keep`, `reject` or a value.
    var unmapped: String?
    var unmappedComment: String?

    var sourceFields: [String] {
        switch origin {
        case .field(let name): [name]
        case .fields(let names): names
        case .template, .constant: []
        }
    }
}

/// One `fields:` line (or block) with why it was written.
struct DraftField: Sendable {
    var path: String
    var rule: DraftRule
    var comment: String
}

struct DraftSkip: Sendable {
    var field: String
    /// `in`, `notEquals` or `is`.
    var test: String
    var values: [String]
    var reason: String
    var comment: String
}
