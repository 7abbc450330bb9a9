import Foundation
import Testing

@testable import Referrals

@Suite struct ReferralJSONTests {
    static func text(_ referral: Referral) -> String {
        String(decoding: ReferralJSON.encode(referral), as: UTF8.self)
    }

    static func text(_ value: JSONValue) -> String {
        String(decoding: ReferralJSON.encode(value), as: UTF8.self)
    }

    @Test func keysInModelOrderNilFieldsLeftOut() {
        let referral = Referral(
            name: "n", status: .new, substatus: .pending, type: .independent,
            consent: Consent(consentToToShareInfoWithOthers: true, consentToContact: false),
            details: ReferralDetails(dealValue: 50000, currency: "USD"),
            target: [ReferralTarget(type: .solutionProfile, id: "S")], additionalFields: ["zeta": .null, "alpha": .bool(false)])
        #expect(Self.text(referral) == #"{"name":"n","status":"New","substatus":"Pending","type":"Independent","target":[{"type":"SolutionProfile","id":"S"}],"consent":{"consentToToShareInfoWithOthers":true,"consentToContact":false},"details":{"dealValue":50000,"currency":"USD"},"alpha":false,"zeta":null}"#)
        #expect(Self.text(Referral()) == "{}")
    }

    /// Referrals encoded into shared pages (`JSONPageWriter`) read back as the bytes `encode` gives,
    /// whatever page they landed in: many small ones across page boundaries, and one bigger than a
    /// page, between them.
    @Test func referralsInSharedPagesAreTheirOwnBytes() {
        var referrals: [Referral] = []
        for index in 0..<200 {
            var referral = RichReferral.make()
            referral.name = "Lead \(index) " + String(repeating: "x", count: index * 7)
            referrals.append(referral)
        }
        referrals[100].details?.notes = String(repeating: "long notes ", count: 8_000)
        var scratch = JSONBytes()
        var pages = JSONPageWriter()
        let spans = referrals.map { ReferralJSON.encode($0, reusing: &scratch, into: &pages) }
        #expect(ReferralJSON.encode(referrals[100]).count > JSONPage.standardCapacity)
        for (referral, span) in zip(referrals, spans) {
            #expect(span.array == ReferralJSON.encode(referral))
            #expect(span.withBytes { $0.count } == span.count)
        }
        #expect(JSONSpan(Array("{}".utf8)).array == Array("{}".utf8))
        #expect(JSONSpan([]).array == [])
    }

    /// The escaper reads eight bytes at a time until a word holds a byte to escape: every byte value
    /// at every offset of a word (and past the last whole word) comes out as the byte-by-byte rule says.
    @Test func everyByteAtEveryOffsetIsEscapedAsByteByByte() {
        func reference(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            for byte in bytes {
                switch byte {
                case 0x22: out += Array(#"\""#.utf8)
                case 0x5C: out += Array(#"\\"#.utf8)
                case 0x08: out += Array(#"\b"#.utf8)
                case 0x0C: out += Array(#"\f"#.utf8)
                case 0x0A: out += Array(#"\n"#.utf8)
                case 0x0D: out += Array(#"\r"#.utf8)
                case 0x09: out += Array(#"\t"#.utf8)
                case ..<0x20: out += Array(String(format: "\\u%04x", Int(byte)).utf8)
                default: out.append(byte)
                }
            }
            return out
        }
        func escaped(_ bytes: [UInt8]) -> [UInt8] {
            var out = JSONBytes(capacity: 16)
            bytes.withUnsafeBufferPointer { JSONString.appendEscaped($0, to: &out) }
            return out.array()
        }
        for length in [7, 8, 9, 16, 19] {
            for offset in 0..<length {
                for value in 0...255 {
                    // Neighbours on both sides that never need escaping, some of them non-ASCII.
                    var bytes: [UInt8] = (0..<length).map { (index: Int) -> UInt8 in
                        let letter = UInt8(0x61 + (index * 7) % 26)
                        return index % 3 == 0 ? letter | 0x80 : letter
                    }
                    bytes[offset] = UInt8(value)
                    #expect(escaped(bytes) == reference(bytes), "byte \(value) at \(offset) of \(length)")
                }
            }
        }
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("quote \" backslash \\", #""quote \" backslash \\""#),
        ("a/b", #""a/b""#),
        ("nl\ncr\rtab\tbs\u{8}ff\u{C}", #""nl\ncr\rtab\tbs\bff\f""#),
        ("\u{0}\u{1}\u{1F}\u{7F}", #""\u0000\u0001\u001f\#u{7F}""#),
        ("Zoë, 東京, 🚀, \u{2028}", "\"Zoë, 東京, 🚀, \u{2028}\""),
        ("", #""""#),
    ])
    func stringsAreEscaped(raw: String, json: String) throws {
        #expect(Self.text(.string(raw)) == json)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed) as? String
        #expect(parsed == raw)
    }

    @Test(arguments: [
        (50000.0, "50000"), (0, "0"), (-0.0, "0"), (-3, "-3"), (0.1, "0.1"), (50000.25, "50000.25"),
        (-1.5, "-1.5"), (1e20, "1e+20"), (1.5e-7, "1.5e-07"), (5e-324, "5e-324"),
        (9_007_199_254_740_991, "9007199254740991"), (9_007_199_254_740_992, "9007199254740992"), (1e16, "1e+16"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (123456789.125, "123456789.125"),
    ])
    func numbersAreShortestAndValidJSON(value: Double, json: String) throws {
        #expect(Self.text(.number(value)) == json)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed) as? NSNumber
        #expect(parsed?.doubleValue == value)
    }

    @Test func nonFiniteNumbersAreNull() throws {
        #expect(Self.text(.number(.nan)) == "null")
        #expect(Self.text(.number(-.infinity)) == "null")
        let referral = Referral(details: ReferralDetails(dealValue: .infinity))
        #expect(Self.text(referral) == #"{"details":{"dealValue":null}}"#)
        #expect(try ReferralJSON.decode(ReferralJSON.encode(referral)).details?.dealValue == nil)
    }

    @Test func nestedObjectKeysAreSorted() {
        let value: JSONValue = .object(["b": .array([.object(["y": .null, "x": .bool(true)])]), "a": .string("é"), "\"q": .number(1)])
        #expect(Self.text(value) == #"{"\"q":1,"a":"é","b":[{"x":true,"y":null}]}"#)
        #expect(Self.text(.array([])) == "[]")
        #expect(Self.text(.object([:])) == "{}")
    }

    @Test func richReferralRoundTrips() throws {
        let referral = RichReferral.make()
        let bytes = ReferralJSON.encode(referral)
        #expect(try ReferralJSON.decode(bytes) == referral)
        #expect(ReferralJSON.encode(referral) == bytes, "the same referral gives the same bytes")
    }

    @Test func agreesWithTheCodableEncoding() throws {
        let referral = RichReferral.make()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let viaCodable = try JSONSerialization.jsonObject(with: encoder.encode(referral)) as! NSDictionary
        let viaWriter = try JSONSerialization.jsonObject(with: Data(ReferralJSON.encode(referral))) as! NSDictionary
        #expect(viaWriter == viaCodable)
        #expect(viaWriter.count == 30, "every field of the fixture is written")
    }

    @Test func topLevelKeysFollowReferralEncodeToOrder() {
        // JSONEncoder does not keep a keyed container's order, so the order of `Referral.encode(to:)`
        // is spelled out here; a new field must be added to both, in the same place.
        let text = Self.text(RichReferral.make())
        let order = [
            "@odata.context", "id", "engagementId", "organizationId", "organizationName", "name", "externalReferenceId",
            "createdDateTime", "updatedDateTime", "expirationDateTime", "acceptedDateTime", "status", "substatus",
            "statusReason", "qualification", "type", "direction", "eTag", "target", "customerProfile", "consent",
            "details", "team", "inviteContext", "links", "favorite", "quality", "salesStage", "tags", "trackingInfo",
        ]
        #expect(Self.topLevelKeys(text) == order)
    }

    /// The keys of the outermost object, in order: a scan that tracks depth and strings.
    static func topLevelKeys(_ text: String) -> [String] {
        var keys: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var current = ""
        var previousSignificant: Character = " "
        for character in text {
            if inString {
                if escaped { escaped = false; current.append(character); continue }
                if character == "\\" { escaped = true; continue }
                if character == "\"" {
                    inString = false
                    if depth == 1, previousSignificant == "{" || previousSignificant == "," { keys.append(current) }
                    previousSignificant = "s"
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "\"": inString = true; current = ""
            case "{", "[": depth += 1; previousSignificant = character
            case "}", "]": depth -= 1; previousSignificant = character
            case ",", ":": previousSignificant = character
            default: if !character.isWhitespace { previousSignificant = character }
            }
        }
        return keys
    }

    @Test func encodingIntoABufferAppends() {
        let referral = RichReferral.make()
        var buffer = Array("prefix\n".utf8)
        ReferralJSON.encode(referral, into: &buffer)
        #expect(buffer == Array("prefix\n".utf8) + ReferralJSON.encode(referral))
        buffer.removeAll(keepingCapacity: true)
        ReferralJSON.encode(Referral(name: "x"), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"{"name":"x"}"#)
    }

    @Test func additionalFieldsNeverShadowKnownKeys() throws {
        let referral = Referral(name: "real", additionalFields: ["name": .string("shadow"), "extra": .number(1)])
        #expect(Self.text(referral) == #"{"name":"real","extra":1}"#)
    }

    @Test func seedRequestSurvivesTheWriter() throws {
        let original = try SeedExample.json("create-request.json")
        let reencoded = ReferralJSON.encode(try ReferralJSON.decode(original))
        #expect(try SeedExample.normalized(reencoded) == SeedExample.normalized(original))
        #expect(String(decoding: reencoded, as: UTF8.self).contains(#""dealValue":50000,"#))
    }
}
