import Foundation
import Testing

@testable import Referrals

/// What the model keeps from the server: unknown enum values, unknown fields, date texts.
@Suite struct ModelToleranceTests {
    static func roundTrip(_ json: String) throws -> String {
        String(decoding: ReferralJSON.encode(try ReferralJSON.decode(Array(json.utf8))), as: UTF8.self)
    }

    @Test(arguments: [
        #"{"status":"Archived"}"#, #"{"substatus":"Frozen"}"#, #"{"type":"Joint"}"#, #"{"qualification":"Hot"}"#,
        #"{"direction":"Both"}"#, #"{"target":[{"type":"Tenant","id":"t"}]}"#,
        #"{"customerProfile":{"size":"1to3employees","ids":[{"profileType":"Vat","id":"1"}]}}"#,
        #"{"details":{"requirements":{"solutions":[{"id":"s","type":"Bundle"}]}}}"#,
        #"{"inviteContext":{"assistanceRequestCode":"Unlisted"}}"#,
    ])
    func unknownEnumValuesReencodeUnchanged(json: String) throws {
        #expect(try Self.roundTrip(json) == json)
    }

    @Test func openEnumsCompareByTheirText() {
        #expect(ReferralStatus(rawValue: "New") == .new)
        #expect(ReferralStatus(rawValue: "new") != .new, "the wire value is case-sensitive; the validator suggests the fix")
        #expect(ReferralStatus.documented(matching: "cLoSeD") == .closed)
        #expect(ReferralStatus(rawValue: "Archived").isDocumented == false)
        let literal: ReferralType = "Shared"
        #expect(literal == .shared && literal.description == "Shared")
    }

    @Test func unknownFieldsSurviveWithTheirValues() throws {
        let json = #"{"id":"1","campaignId":"c","favorite":false,"isSpam":null,"quality":"Unknown","registrations":[{"contract":{"value":10.5,"term":"Finite"}}],"tags":["x","y"]}"#
        let referral = try ReferralJSON.decode(Array(json.utf8))
        #expect(referral.additionalFields.count == 6)
        #expect(referral.additionalFields["isSpam"] == .null)
        #expect(referral.additionalFields["registrations"] == .array([.object(["contract": .object(["value": .number(10.5), "term": .string("Finite")])])]))
        // Known keys first, then the rest sorted: the same bytes however the server ordered them.
        #expect(try Self.roundTrip(json) == #"{"id":"1","campaignId":"c","favorite":false,"isSpam":null,"quality":"Unknown","registrations":[{"contract":{"term":"Finite","value":10.5}}],"tags":["x","y"]}"#)
    }

    @Test(arguments: [
        "2019-02-23T02:05:23.2931817Z", "2018-11-14T00:00:00Z", "2024-06-25T10:00:00+02:00", "2024-06-25T10:00:00.123456789-05:30",
        "2024-02-29T23:59:59Z", "2024-06-25",
    ])
    func dateTextsAreWrittenBackAsReceived(text: String) throws {
        let json = #"{"details":{"closingDateTime":"\#(text)"}}"#
        #expect(try Self.roundTrip(json) == json)
    }

    @Test(arguments: [
        ("2024-06-25T10:00:00Z", "2024-06-25T12:00:00+02:00", true), ("2024-06-25T10:00:00.5Z", "2024-06-25T10:00:00Z", false),
        ("2024-06-25T00:00:00Z", "2024-06-25", true), ("2024-06-25T10:00:00.0000001Z", "2024-06-25T10:00:00Z", false),
    ])
    func offsetsAreAppliedToTheInstant(a: String, b: String, sameInstant: Bool) throws {
        let first = try #require(APIDateTime(a))
        let second = try #require(APIDateTime(b))
        #expect((abs(first.date.timeIntervalSince(second.date)) < 1e-9) == sameInstant)
        #expect(first != second || a == b, "equality is by text, so the original text is never lost")
    }

    @Test(arguments: [
        "2023-02-29T00:00:00Z", "2024-04-31", "2024-01-01T00:00:00+0200", "2024-01-01T00:00:00+02", "2024-01-01 00:00:00Z",
        "2024-01-01T00:00Z", "2024-01-01T00:60:00Z", "24-01-01", "2024-1-01", "", "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00.1234567",
    ])
    func invalidDatesAreRefused(text: String) {
        #expect(APIDateTime(text) == nil)
    }

    @Test func anInvalidDateInJSONFailsStrictDecodingWithItsText() throws {
        // Strict (the sandbox reading a request): refused, naming the text.
        #expect {
            try JSONDecoder().decode(Referral.self, from: Data(#"{"createdDateTime":"yesterday"}"#.utf8))
        } throws: { error in
            "\(error)".contains("'yesterday' is not an ISO 8601 date-time")
        }
        // Lenient (a server's answer): kept as it came, never fatal.
        let answer = try ReferralJSON.decode(Array(#"{"createdDateTime":"yesterday"}"#.utf8))
        #expect(answer.createdDateTime == nil && answer.additionalFields["createdDateTime"] == .string("yesterday"))
    }

    @Test func generatedDatesRoundTripThroughTheirText() throws {
        let now = APIDateTime(Date(timeIntervalSince1970: 1_700_000_000.123_456_7))
        #expect(now.text == "2023-11-14T22:13:20.1234567Z")
        let again = try #require(APIDateTime(now.text))
        #expect(abs(again.date.timeIntervalSince(now.date)) < 1e-6)
    }
}
