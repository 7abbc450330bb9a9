import Foundation

/// Any member name of a JSON object.
struct AnyJSONKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension CodingUserInfoKey {
    /// Set to `true` (see `ReferralJSON.decode`) to read a server's answer leniently.
    public static let lenientReferralDecoding = CodingUserInfoKey(rawValue: "refbridge.lenientReferralDecoding")!
}

/// A model object of the API that keeps the members it does not name (`additionalFields`), at
/// every level, so that reading a referral and writing it back (PUT) loses nothing.
protocol JSONObjectModel {
    /// The JSON member names the type itself reads and writes.
    static var knownKeys: Set<String> { get }
    var additionalFields: [String: JSONValue] { get }
}

extension JSONObjectModel {
    /// Whether the typed property behind the JSON member `key` holds a value. Reached only for an
    /// additional field named like a known member (an answer whose member had a shape the model
    /// could not read, kept raw): rare, so reflection is fine here.
    func hasTypedValue(forKey key: String) -> Bool {
        let label = key == "@odata.context" ? "odataContext" : key
        for child in Mirror(reflecting: self).children where child.label == label {
            let value = Mirror(reflecting: child.value)
            return !(value.displayStyle == .optional && value.children.isEmpty)
        }
        return false
    }

    /// The additional fields to write, by key: all but those whose typed property now has a value.
    func additionalFieldsToWrite() -> [(String, JSONValue)] {
        additionalFields.sorted { $0.key < $1.key }.filter { !Self.knownKeys.contains($0.key) || !hasTypedValue(forKey: $0.key) }
    }
}

/// Reads one JSON object of the model.
///
/// - Member names match regardless of case, an exact match first: Microsoft's own create sample
///   sends `ConsentToToShareInfoWithOthers`, and the service binds it (partner-api.md, Decisions).
/// - Strict (the sandbox reading a request): a member of the wrong shape throws, with its path.
/// - Lenient (`CodingUserInfoKey.lenientReferralDecoding`, a server's answer): a member of a shape
///   the model cannot read (`"ids": {}`, a number for a string) leaves the typed property nil and
///   is kept raw in `additionalFields` under its own name, so it is written back unchanged.
struct JSONObjectReader {
    private let container: KeyedDecodingContainer<AnyJSONKey>
    private let lenient: Bool
    private var byLowercasedName: [String: AnyJSONKey] = [:]
    private var unreadable: [String: JSONValue] = [:]

    init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: AnyJSONKey.self)
        lenient = decoder.userInfo[.lenientReferralDecoding] as? Bool ?? false
        for key in container.allKeys {
            let lowered = key.stringValue.lowercased()
            if byLowercasedName[lowered] == nil { byLowercasedName[lowered] = key }
        }
    }

    private func key(_ name: String) -> AnyJSONKey? {
        let exact = AnyJSONKey(name)
        if container.contains(exact) { return exact }
        return byLowercasedName[name.lowercased()]
    }

    mutating func read<Value: Decodable>(_ type: Value.Type, _ name: String) throws -> Value? {
        guard let key = key(name) else { return nil }
        guard lenient else { return try container.decodeIfPresent(Value.self, forKey: key) }
        do {
            return try container.decodeIfPresent(Value.self, forKey: key)
        } catch {
            unreadable[key.stringValue] = (try? container.decode(JSONValue.self, forKey: key)) ?? .null
            return nil
        }
    }

    /// The members not among `known` (compared without case), and the unreadable known ones.
    func additionalFields(known: Set<String>) throws -> [String: JSONValue] {
        var extra = unreadable
        var knownLowercased: Set<String>?
        for key in container.allKeys where !known.contains(key.stringValue) {
            // A known member in another case, read above (or a second spelling of one, which binding ignores).
            if knownLowercased == nil { knownLowercased = Set(known.map { $0.lowercased() }) }
            if knownLowercased?.contains(key.stringValue.lowercased()) == true { continue }
            if lenient {
                extra[key.stringValue] = (try? container.decode(JSONValue.self, forKey: key)) ?? .null
            } else {
                extra[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
            }
        }
        return extra
    }
}

/// Writes one JSON object of the model through `Codable`: the known members that have a value,
/// then the additional fields (see `JSONObjectModel.additionalFieldsToWrite`).
struct JSONObjectWriter {
    private var container: KeyedEncodingContainer<AnyJSONKey>

    init(_ encoder: any Encoder) { container = encoder.container(keyedBy: AnyJSONKey.self) }

    mutating func write<Value: Encodable>(_ value: Value?, _ name: String) throws {
        try container.encodeIfPresent(value, forKey: AnyJSONKey(name))
    }

    mutating func writeAdditionalFields(of object: some JSONObjectModel) throws {
        guard !object.additionalFields.isEmpty else { return }
        for (name, value) in object.additionalFieldsToWrite() {
            try container.encode(value, forKey: AnyJSONKey(name))
        }
    }
}
