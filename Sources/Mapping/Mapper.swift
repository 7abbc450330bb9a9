import Importers
import Referrals

/// A problem that keeps a record from becoming a referral.
public struct MappingIssue: Sendable, Hashable, Codable {
    /// The referral path, or the source field when the problem is in the input.
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// A record mapped to a valid referral.
public struct MappedReferral: Sendable {
    public var externalReferenceId: String
    public var referral: Referral
    public var warnings: [String]
}

public enum MappingOutcome: Sendable {
    case mapped(MappedReferral)
    case skipped(externalReferenceId: String?, reason: String)
    case rejected(externalReferenceId: String?, issues: [MappingIssue])
}

/// Maps source records with one spec. Field names are resolved once per distinct header (every
/// record of a CSV file shares its header), not once per record.
public final class Mapper {
    public let spec: MappingSpec
    private var cachedNames: [String] = []
    /// The mapping's field names, as spelled in the mapping, to their position in the current header.
    private var positions: [String: Int] = [:]
    private var formattedPositions: [String: Int] = [:]
    private let ruleNames: [String]

    public init(_ spec: MappingSpec) {
        self.spec = spec
        ruleNames = Array(Set(spec.sourceFields.map(\.name)))
    }

    static let formattedSuffix = "@OData.Community.Display.V1.FormattedValue"

    public func map(_ record: SourceRecord) -> MappingOutcome {
        if record.names != cachedNames { resolve(record.names) }
        let key = text(of: spec.key, in: record).map(FastText.trimmed) ?? ""
        guard !key.isEmpty else {
            return .rejected(externalReferenceId: nil, issues: [MappingIssue(field: spec.key.describedSource, message: "the record has no id: it is never uploaded without one (check the key column)")])
        }
        for skip in spec.skips where holds(skip.condition, in: record) {
            return .skipped(externalReferenceId: key, reason: skip.reason)
        }
        var referral = Referral(externalReferenceId: key)
        var issues: [MappingIssue] = []
        var warnings: [String] = []
        for (path, rule) in spec.fields {
            guard var text = text(of: rule, in: record) else {
                if rule.required { issues.append(MappingIssue(field: path.path, message: "is required, but \(rule.describedSource) is empty")) }
                continue
            }
            if let map = rule.map {
                let lookup = FastText.lowered(FastText.trimmed(text))
                if let mapped = map[lookup] {
                    text = mapped
                } else {
                    switch rule.unmapped {
                    case .reject:
                        issues.append(MappingIssue(field: path.path, message: "'\(text)' from \(rule.describedSource) is not in the mapping's map: add it, or set `default:`"))
                        continue
                    case .keep: break
                    case .value(let value): text = value
                    }
                }
                // A map entry or default of "" leaves the field out.
                if text.isEmpty { continue }
            }
            switch path.kind {
            case .string:
                if let letterCase = rule.letterCase { text = ValueParsers.apply(letterCase, to: text) }
                if let limit = ReferralLimits.maxLength(forPath: path.path), ReferralLimits.length(of: text) > limit {
                    if rule.truncate, let cut = ReferralLimits.truncated(text, forPath: path.path) {
                        warnings.append("\(path.path) truncated from \(ReferralLimits.length(of: text)) to \(limit) characters")
                        text = cut
                    } else {
                        issues.append(MappingIssue(field: path.path, message: "is \(ReferralLimits.length(of: text)) characters long; the limit is \(limit)"))
                        continue
                    }
                }
                if path.generic.hasSuffix("country"), let code = CountryCodes.normalized(text) { text = code }
                if path.generic == "details.currency", let code = CurrencyCodes.normalized(text) { text = code }
                referral.set(.string(text), at: path)
            case .number:
                guard let number = ValueParsers.number(text, decimalComma: rule.decimalComma) else {
                    issues.append(MappingIssue(field: path.path, message: "'\(text)' from \(rule.describedSource) is not a number"))
                    continue
                }
                referral.set(.number(number), at: path)
            case .bool:
                guard let value = ValueParsers.bool(text) else {
                    issues.append(MappingIssue(field: path.path, message: "'\(text)' from \(rule.describedSource) is not yes/no, true/false or 1/0"))
                    continue
                }
                referral.set(.bool(value), at: path)
            case .dateTime:
                guard let date = ValueParsers.dateTime(text, format: rule.dateFormat) else {
                    issues.append(MappingIssue(field: path.path, message: "'\(text)' from \(rule.describedSource) is not a \(rule.dateFormat.rawValue) date"))
                    continue
                }
                referral.set(.dateTime(date), at: path)
            case .enumeration(let values):
                guard let value = FastText.matching(text, in: values) else {
                    issues.append(MappingIssue(field: path.path, message: "'\(text)' from \(rule.describedSource) is not one of \(values.joined(separator: ", ")): map it with `map:`"))
                    continue
                }
                referral.set(.string(value), at: path)
            }
        }
        if issues.isEmpty {
            issues = referral.validationIssues(for: .create).map { MappingIssue(field: $0.path, message: $0.message) }
        }
        guard issues.isEmpty else { return .rejected(externalReferenceId: key, issues: issues) }
        return .mapped(MappedReferral(externalReferenceId: key, referral: referral, warnings: warnings))
    }

    /// Matches the mapping's field names to a header, ignoring case, once per distinct header.
    private func resolve(_ names: [String]) {
        cachedNames = names
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() {
            let key = name.lowercased()
            if index[key] == nil { index[key] = position }
        }
        positions.removeAll(keepingCapacity: true)
        formattedPositions.removeAll(keepingCapacity: true)
        for name in ruleNames {
            positions[name] = index[name.lowercased()]
            formattedPositions[name] = index[(name + Self.formattedSuffix).lowercased()]
        }
    }

    /// The source value of `name`, nil when absent or null.
    private func value(_ name: String, in record: SourceRecord, formatted: Bool) -> String? {
        if formatted, let position = formattedPositions[name], let text = record.values[position].text {
            return text
        }
        guard let position = positions[name] else { return nil }
        return record.values[position].text
    }

    /// The rule's text, trimmed (unless `trim: false`); nil when empty.
    private func text(of rule: ValueRule, in record: SourceRecord) -> String? {
        var text: String?
        switch rule.origin {
        case .field(let name):
            text = value(name, in: record, formatted: rule.formatted)
        case .fields(let names):
            text = names.lazy.compactMap { self.value($0, in: record, formatted: rule.formatted) }.first { !FastText.trimmed($0).isEmpty }
        case .template(let parts):
            var result = ""
            var any = false
            for part in parts {
                switch part {
                case .text(let literal): result += literal
                case .field(let name):
                    if let value = value(name, in: record, formatted: rule.formatted), !value.isEmpty {
                        result += value
                        any = true
                    }
                }
            }
            text = any ? result.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") : nil
        case .constant(let value):
            text = value
        case .cases(let cases, let otherwise):
            text = cases.first { holds($0.0, in: record) }?.1 ?? otherwise
        }
        guard var result = text else { return nil }
        if let part = rule.namePart { result = ValueParsers.namePart(part, of: result) }
        if rule.trim { result = FastText.trimmed(result) }
        return result.isEmpty ? nil : result
    }

    private func holds(_ condition: Condition, in record: SourceRecord) -> Bool {
        let raw = value(condition.field, in: record, formatted: false).map(FastText.trimmed) ?? ""
        let label = value(condition.field, in: record, formatted: true).map(FastText.trimmed) ?? ""
        let result: Bool
        switch condition.test {
        case .empty: result = raw.isEmpty
        case .notEmpty: result = !raw.isEmpty
        case .equals(let values):
            // Option sets: the code (Web API) or the label (Excel export) both match.
            result = values.contains { FastText.equalIgnoringCase($0, raw) || FastText.equalIgnoringCase($0, label) }
        }
        return result != condition.negated
    }
}

/// String helpers for the hot path that avoid Foundation's bridging: ASCII fast paths, Unicode
/// correct otherwise.
enum FastText {
    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }

    /// Without surrounding whitespace (ASCII spaces, tabs, line breaks; and any Unicode whitespace).
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return text }
        if !isSpace(first), !isSpace(last), first < 0x80, last < 0x80 { return text }
        var start = text.startIndex
        var end = text.endIndex
        while start < end, text[start].isWhitespace { start = text.index(after: start) }
        while end > start, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        return String(text[start..<end])
    }

    static func lowered(_ text: String) -> String {
        text.utf8.contains(where: { ($0 >= 65 && $0 <= 90) || $0 >= 0x80 }) ? text.lowercased() : text
    }

    static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        if a.utf8.count != b.utf8.count, a.utf8.allSatisfy({ $0 < 0x80 }), b.utf8.allSatisfy({ $0 < 0x80 }) { return false }
        return a == b || lowered(a) == lowered(b)
    }

    static func matching(_ text: String, in values: [String]) -> String? {
        if let exact = values.first(where: { $0 == text }) { return exact }
        let key = lowered(text)
        return values.first { lowered($0) == key }
    }
}
