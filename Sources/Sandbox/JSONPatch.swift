import Referrals
import Foundation

/// RFC 6902 JSON Patch, limited to what the API supports: `add` and `replace` (partner-api.md §2.5).
struct JSONPatch {
    struct Operation: Decodable {
        var op: String
        var path: String
        var value: JSONValue?
    }

    /// Fields only the server sets: a patch may not touch them.
    static let readOnly: Set<String> = [
        "id", "engagementId", "organizationId", "organizationName", "createdDateTime", "updatedDateTime",
        "acceptedDateTime", "closedDateTime", "expirationDateTime", "eTag", "links", "direction", "@odata.context",
    ]

    static func apply(_ operations: [Operation], to document: JSONValue) throws -> JSONValue {
        var document = document
        for (index, operation) in operations.enumerated() {
            guard operation.op == "add" || operation.op == "replace" else {
                throw SandboxError.invalidRequest("operation \(index): '\(operation.op)' is not supported: only add and replace", target: operation.path)
            }
            guard var value = operation.value else {
                throw SandboxError.invalidRequest("operation \(index): value is required", target: operation.path)
            }
            let tokens = try pointer(operation.path)
            guard let first = tokens.first else {
                throw SandboxError.invalidRequest("operation \(index): the whole referral cannot be replaced; use PUT", target: operation.path)
            }
            if readOnly.contains(first) {
                throw SandboxError.invalidRequest("operation \(index): \(first) is set by the server and cannot be changed", target: operation.path)
            }
            // The docs send numbers as strings ("10000"); the API takes them.
            if operation.path == "/details/dealValue", case .string(let text) = value, let number = Double(text) {
                value = .number(number)
            }
            document = try set(value, at: tokens[...], in: document, replace: operation.op == "replace", path: operation.path)
        }
        return document
    }

    static func pointer(_ path: String) throws -> [String] {
        guard path.hasPrefix("/") else {
            throw SandboxError.invalidRequest("'\(path)' is not a JSON Pointer: it must start with /", target: path)
        }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func set(_ value: JSONValue, at tokens: ArraySlice<String>, in node: JSONValue, replace: Bool, path: String) throws -> JSONValue {
        guard let token = tokens.first else { return value }
        let rest = tokens.dropFirst()
        switch node {
        case .object(var fields):
            if rest.isEmpty {
                if replace, fields[token] == nil {
                    throw SandboxError.invalidRequest("replace: \(path) does not exist; use add", target: path)
                }
                fields[token] = value
            } else {
                guard let child = fields[token], child != .null else {
                    throw SandboxError.invalidRequest("\(path): '\(token)' does not exist", target: path)
                }
                fields[token] = try set(value, at: rest, in: child, replace: replace, path: path)
            }
            return .object(fields)
        case .array(var items):
            if token == "-" {
                guard rest.isEmpty, !replace else { throw SandboxError.invalidRequest("\(path): '-' only appends with add", target: path) }
                items.append(value)
                return .array(items)
            }
            guard let index = Int(token), index >= 0, index < items.count || (index == items.count && !replace && rest.isEmpty) else {
                throw SandboxError.invalidRequest("\(path): index \(token) is out of range", target: path)
            }
            if rest.isEmpty {
                if replace { items[index] = value } else { items.insert(value, at: index) }
            } else {
                items[index] = try set(value, at: rest, in: items[index], replace: replace, path: path)
            }
            return .array(items)
        default:
            throw SandboxError.invalidRequest("\(path): cannot go into a value that is not an object or array", target: path)
        }
    }
}
