import Foundation
import Referrals

/// Small JSON helpers over the model's `JSONValue`.
enum JSONValueParser {
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    static func parseObject(_ bytes: [UInt8]) throws -> [String: JSONValue]? {
        if case .object(let fields) = try parse(bytes) { return fields }
        return nil
    }
}
