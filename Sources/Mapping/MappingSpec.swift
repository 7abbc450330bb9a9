public import Importers
import Referrals

/// A mapping file, loaded and checked: how one kind of export becomes referrals.
public struct MappingSpec: Sendable {
    /// From `name:` or the file's base name.
    public var name: String
    /// The ledger keys rows by (system, external id): `system:`, or the name.
    public var sourceSystem: String
    public var file: String
    public var source: SourceSpec
    var key: ValueRule
    var skips: [SkipRule]
    var fields: [(TargetPath, ValueRule)]
    /// `strict:`: which of refbridge's own validation rules reject a record (default: none, they warn).
    public var strict = StrictRules()
    /// `timezone:`: where date-times without an offset were written; their own offset always wins.
    var timeZone: SourceTimeZone = .utc
    /// `writeback:`: the file that gives the CRM back what refbridge learned (issue #13).
    public var writeback: WritebackSpec? = nil
    /// `incoming:`: incoming referrals as a new-leads file (issue #13).
    public var incoming: IncomingSpec? = nil
    /// The mapping file's text and the mapper's output revision, digested: part of every record's
    /// `SourceDigest`, so an edited mapping or a refbridge that maps differently maps every record again.
    public internal(set) var fingerprint = SourceDigest(high: 0, low: 0)
    /// The rules compiled for the mapper, once, when the mapping loaded (nil for a spec made
    /// otherwise: each mapper then compiles them itself). Set after every rule above is final.
    var program: MappingProgram? = nil

    /// The source fields the record id comes from: a file whose records have none of them does not
    /// fit this mapping.
    public var keyFields: [String] { key.sourceFields.map(\.name) }

    /// Every source field name the mapping reads.
    public var sourceFieldNames: [String] { sourceFields.map(\.name) }

    /// Whether any rule reads OData formatted values (`formatted: true`).
    public var readsFormattedValues: Bool { key.formatted || fields.contains { $0.1.formatted } }

    /// What the mapper can read of a record, lower-cased as the reader compares them: every source
    /// field and its OData label (`Mapper` resolves both for each field, and digests both).
    var readFields: Set<String> {
        Set(sourceFields.flatMap { [$0.name.lowercased(), ($0.name + Mapper.formattedSuffix).lowercased()] })
    }

    /// Every source field the mapping reads, with the line that names it.
    var sourceFields: [(name: String, line: Int)] {
        var names = key.sourceFields
        for skip in skips { names += skip.condition.sourceFields(line: skip.line) }
        for (_, rule) in fields { names += rule.sourceFields }
        return names
    }
}

/// The `source:` block: how to read the export.
public struct SourceSpec: Sendable {
    /// Its `readFields` are the mapping's (see `MappingSpec.readFields`): a consumer that shows the
    /// source records whole (the HTML preview) sets them to nil.
    public var importOptions: ImportOptions
}

/// How one value is made from a source record.
struct ValueRule: Sendable {
    enum Origin: Sendable {
        case field(String)
        /// The first that is not empty.
        case fields([String])
        case template(Template)
        case constant(String)
        /// The value of the first case whose condition holds, else `otherwise`.
        case cases([(Condition, String)], otherwise: String?)
    }

    /// A template as placeholders, each with the literal text written before it when it is kept.
    ///
    /// The rule that drops a part whose field is empty with its separator: text before the first
    /// placeholder belongs to it, text after the last belongs to the last, and text between two
    /// placeholders is a separator, written only between two kept parts (it belongs to the part after it).
    struct Template: Sendable {
        var parts: [(before: String, field: String)]
        var trailing: String
    }

    enum Unmapped: Sendable, Equatable {
        case reject
        case keep
        case value(String)
    }

    var origin: Origin
    var line: Int
    /// Read `field@OData.Community.Display.V1.FormattedValue` (the label) when present.
    var formatted = false
    var trim = true
    var letterCase: ValueParsers.Case?
    var namePart: ValueParsers.NamePart?
    /// Lower-cased, trimmed source value → target value.
    var map: [String: String]?
    /// The same entries keyed as written in the mapping: most exports spell their labels exactly so,
    /// and an exact hit needs no lower-cased copy of the value.
    var mapAsWritten: [String: String]?
    var unmapped: Unmapped = .reject
    var decimalComma = false
    var dateFormat: ValueParsers.DateFormat = .iso
    /// This rule's `timezone:`, when it differs from the mapping's.
    var timeZone: SourceTimeZone?
    /// `bool: true`: the value is read as a boolean (true/false, 1/0, yes/no) and passed on as
    /// `true` or `false`, so a map keyed on `true`/`false` also fits exports that write 1/0.
    var readsBool = false
    /// `ifEmpty:`: the value (already checked against the target) when the source is empty.
    var ifEmpty: String?
    /// Cut to the API limit with a warning (true), or reject the record (false).
    var truncate = true
    var required = false

    var sourceFields: [(name: String, line: Int)] {
        switch origin {
        case .field(let name): return [(name, line)]
        case .fields(let names): return names.map { ($0, line) }
        case .template(let template): return template.parts.map { ($0.field, line) }
        case .constant: return []
        case .cases(let cases, _): return cases.flatMap { $0.0.sourceFields(line: line) }
        }
    }

    var describedSource: String {
        switch origin {
        case .field(let name): name
        case .fields(let names): names.joined(separator: " | ")
        case .template: "template"
        case .constant: "constant"
        case .cases: "when"
        }
    }
}

/// A test on a source field.
struct Condition: Sendable {
    enum Test: Sendable {
        /// Equal to one of these, ignoring case and surrounding spaces.
        case equals([String])
        case empty
        case notEmpty
        /// `is: true` / `is: false`: the value read as a boolean (true/false, 1/0, yes/no, any case).
        /// An empty value is neither; any other value rejects the record, as a guess could send a
        /// converted lead.
        case isBool(Bool)
    }

    var field: String
    var test: Test
    var negated = false

    func sourceFields(line: Int) -> [(name: String, line: Int)] { [(field, line)] }
}

struct SkipRule: Sendable {
    var condition: Condition
    var reason: String
    var line: Int
}

/// A problem in a mapping file: where, and what to do.
public struct MappingLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int = 1, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Every problem of a mapping file at once.
public struct MappingLoadErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [MappingLoadError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
