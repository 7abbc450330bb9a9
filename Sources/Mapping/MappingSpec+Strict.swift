public import Referrals
import Yams
import Foundation

/// The mapping's `strict:` switch: which of refbridge's own validation rules (warnings with their
/// reason, see `ValidationRule`) reject a record instead of only warning. The documented rules
/// always reject.
///
/// ```yaml
/// strict: all                               # every warning is an error
/// strict: [customerName, currencyWithDealValue]
/// strict: none                              # the default
/// ```
public struct StrictRules: Sendable, Hashable {
    public var all = false
    public var rules: Set<ValidationRule> = []

    public init(all: Bool = false, rules: Set<ValidationRule> = []) {
        self.all = all
        self.rules = rules
    }

    /// Whether `issue` rejects the record.
    public func rejects(_ issue: ValidationIssue) -> Bool {
        issue.severity == .error || all || rules.contains(issue.rule)
    }

    /// The rule names `strict:` takes: the warnings' rules.
    static var names: [String] { ValidationRule.allCases.filter { $0.severity == .warning }.map(\.rawValue) }

    /// Reads the `strict:` node; the error message says what it takes.
    static func parse(_ node: Node) -> Result<StrictRules, StrictRulesError> {
        if let scalar = node.scalar {
            switch scalar.string.lowercased() {
            case "all", "true", "yes": return .success(StrictRules(all: true))
            case "none", "false", "no", "": return .success(StrictRules())
            default: break
            }
            return parseNames([scalar.string])
        }
        if let list = node.sequence {
            var names: [String] = []
            for item in list {
                guard let name = item.string else { return .failure(StrictRulesError(message: "strict: each item is a rule name: \(names.joined(separator: ", "))")) }
                names.append(name)
            }
            return parseNames(names)
        }
        return .failure(StrictRulesError(message: "strict: takes all, none, or a list of rule names (\(Self.names.joined(separator: ", ")))"))
    }

    private static func parseNames(_ names: [String]) -> Result<StrictRules, StrictRulesError> {
        var rules: Set<ValidationRule> = []
        for name in names {
            guard let rule = ValidationRule.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(name) == .orderedSame }),
                rule.severity == .warning
            else {
                return .failure(StrictRulesError(message: "strict: '\(name)' is not one of refbridge's own rules; they are \(Self.names.joined(separator: ", ")) (documented rules always reject)"))
            }
            rules.insert(rule)
        }
        return .success(StrictRules(rules: rules))
    }
}

struct StrictRulesError: Error {
    var message: String
}
