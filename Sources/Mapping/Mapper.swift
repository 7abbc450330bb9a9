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
        let key = text(of: spec.key, in: record)?.trimmingCharacters(in: .whitespaces) ?? ""
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
                let lookup = text.trimmingCharacters(in: .whitespaces).lowercased()
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
                guard let value = values.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
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
            text = names.lazy.compactMap { self.value($0, in: record, formatted: rule.formatted) }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
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
        if rule.trim { result = result.trimmingCharacters(in: .whitespacesAndNewlines) }
        return result.isEmpty ? nil : result
    }

    private func holds(_ condition: Condition, in record: SourceRecord) -> Bool {
        let raw = value(condition.field, in: record, formatted: false)?.trimmingCharacters(in: .whitespaces) ?? ""
        let label = value(condition.field, in: record, formatted: true)?.trimmingCharacters(in: .whitespaces) ?? ""
        let result: Bool
        switch condition.test {
        case .empty: result = raw.isEmpty
        case .notEmpty: result = !raw.isEmpty
        case .equals(let values):
            // Option sets: the code (Web API) or the label (Excel export) both match.
            result = values.contains { $0.caseInsensitiveCompare(raw) == .orderedSame || $0.caseInsensitiveCompare(label) == .orderedSame }
        }
        return result != condition.negated
    }
}
