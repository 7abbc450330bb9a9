import Foundation
import Referrals

/// A value out of a referral's JSON by path: `customerProfile.address.city`, `team[0].email`,
/// `details.dealValue`. Missing members are empty; numbers are written as the API wrote them
/// (`25000`, not `25000.0`); arrays of tags join their ids with `;`.
enum ReferralPath {
    static func value(_ path: String, in document: JSONValue) -> String {
        var current: JSONValue? = document
        for segment in path.split(separator: ".") {
            var name = Substring(segment)
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return "" }
                indexes.insert(index, at: 0)
                name = name[..<open]
            }
            if case .object(let members)? = current {
                current = members[String(name)] ?? members.first { $0.key.caseInsensitiveCompare(String(name)) == .orderedSame }?.value
            } else {
                return ""
            }
            for index in indexes {
                guard case .array(let items)? = current, index >= 0, index < items.count else { return "" }
                current = items[index]
            }
        }
        return text(current)
    }

    private static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .number(let number)?:
            if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        case .bool(let flag)?: return flag ? "true" : "false"
        case .array(let items)?:
            return items.map { item in
                if case .object(let members) = item, let id = members["id"] { return text(id) }
                return text(item)
            }.filter { !$0.isEmpty }.joined(separator: ";")
        case .object?, .null?, nil: return ""
        }
    }
}
