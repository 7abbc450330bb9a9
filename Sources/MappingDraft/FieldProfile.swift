import Foundation
/// What the sampled records hold in one source field: how often it has a value, its distinct
/// values (up to a bound) and what its values look like. Memory is bounded per field whatever the
/// file holds: at most `maxDistinct` values of at most `maxValueLength` characters are kept.
public struct FieldProfile: Sendable {
    public static let maxDistinct = 200
    static let maxValueLength = 200

    /// The name a mapping uses for it (an OData annotation's base name).
    public var name: String
    /// Records where it has a value (the label counts for an annotated field).
    public internal(set) var filled = 0
    /// Distinct values (the OData label where there is one) → records, while fewer than `maxDistinct`.
    public internal(set) var values: [String: Int] = [:]
    /// More distinct values than were kept.
    public internal(set) var manyValues = false
    /// The field has OData formatted values (`field@OData.Community.Display.V1.FormattedValue`).
    public internal(set) var hasFormattedValues = false
    /// Distinct raw values (codes) of an annotated field, for skip rules on option sets.
    public internal(set) var codes: [String: Int] = [:]

    var emails = 0
    var phones = 0
    var countries = 0
    var currencies = 0
    var isoDates = 0
    var numericDates = 0
    /// `n/n/yyyy` dates whose first number is above 12 (so it is the day), or whose second is.
    var dayFirst = 0
    var monthFirst = 0
    var numbers = 0
    var decimals = 0
    var decimalCommas = 0
    var guids = 0

    init(name: String) { self.name = name }

    mutating func add(_ value: String) {
        let text = String(value.prefix(Self.maxValueLength)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        filled += 1
        Self.count(text, in: &values, overflow: &manyValues)
        if ValueSniffer.isEmail(text) { emails += 1 }
        if ValueSniffer.isPhone(text) { phones += 1 }
        if ValueSniffer.isCountry(text) { countries += 1 }
        if ValueSniffer.isCurrency(text) { currencies += 1 }
        switch ValueSniffer.dateShape(text) {
        case .iso: isoDates += 1
        case .numeric(let first, let second):
            numericDates += 1
            if first > 12 { dayFirst += 1 }
            if second > 12 { monthFirst += 1 }
        case nil: break
        }
        if ValueSniffer.isNumber(text) {
            numbers += 1
            if ValueSniffer.hasDecimals(text) { decimals += 1 }
            if ValueSniffer.hasDecimalComma(text) { decimalCommas += 1 }
        }
        if ValueSniffer.isGUID(text) { guids += 1 }
    }

    mutating func addCode(_ value: String) {
        let text = String(value.prefix(Self.maxValueLength)).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return }
        Self.count(text, in: &codes, overflow: &manyValues)
    }

    private static func count(_ text: String, in table: inout [String: Int], overflow: inout Bool) {
        if table[text] != nil || table.count < maxDistinct {
            table[text, default: 0] += 1
        } else {
            overflow = true
        }
    }

    /// The share of filled values with a property, 0…1.
    func share(_ count: Int) -> Double { filled == 0 ? 0 : Double(count) / Double(filled) }

    /// "92 %": how a comment states a share.
    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }
}
