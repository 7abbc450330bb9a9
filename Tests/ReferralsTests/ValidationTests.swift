import Foundation
import Testing

@testable import Referrals

@Suite struct ValidationTests {
    static func valid() -> Referral {
        Referral(
            name: "Deal", externalReferenceId: "crm-1", status: .new, substatus: .pending, type: .independent,
            qualification: .salesQualified,
            customerProfile: CustomerProfile(
                name: "Fabrikam", address: Address(city: "Leeds", country: "GB"), size: "10to50employees",
                team: [Member(firstName: "Ann", email: "ann@fabrikam.example", contactPreference: ContactPreference(locale: "en-GB"))]),
            consent: Consent(consentToToShareInfoWithOthers: true, consentToContact: false),
            details: ReferralDetails(notes: "n", dealValue: 10, currency: "GBP", requirements: Requirements(industries: [Tag(id: "Manufacturing")])))
    }

    func paths(_ referral: Referral, _ purpose: ValidationPurpose = .create) -> [String] {
        referral.validationIssues(for: purpose).map(\.path)
    }

    @Test func aValidReferralHasNoIssues() {
        #expect(Self.valid().validationIssues(for: .create).isEmpty)
    }

    @Test func allRequiredFieldsAreReportedAtOnce() {
        let issues = Referral().validationIssues(for: .create)
        #expect(Set(issues.map(\.path)) == ["type", "customerProfile", "consent", "details"])
        #expect(issues.allSatisfy { !$0.message.isEmpty })
    }

    @Test func customerNameCountryAndBothConsentsAreRequired() {
        var referral = Self.valid()
        referral.customerProfile?.name = "  "
        referral.customerProfile?.address?.country = nil
        referral.consent = Consent()
        #expect(Set(paths(referral)) == ["customerProfile.name", "customerProfile.address.country", "consent.consentToToShareInfoWithOthers", "consent.consentToContact"])
        referral.customerProfile?.address = nil
        #expect(paths(referral).contains("customerProfile.address"))
    }

    @Test func serverAssignedFieldsAreRefusedOnCreateOnly() {
        var referral = Self.valid()
        referral.id = "x"
        referral.eTag = "\"e\""
        referral.createdDateTime = APIDateTime("2024-01-01T00:00:00Z")
        referral.type = .shared
        referral.target = [.microsoft]
        referral.engagementId = "allowed-for-connected-referrals"
        #expect(Set(paths(referral)) == ["id", "eTag", "createdDateTime"])
        #expect(paths(referral, .update(from: .new)).isEmpty)
    }

    @Test func enumValuesMustBeDocumented() {
        var referral = Self.valid()
        referral.type = "independent"
        referral.qualification = "Hot"
        referral.customerProfile?.size = "huge"
        referral.target = [ReferralTarget(type: "Partner", id: "x")]
        let issues = referral.validationIssues(for: .create)
        #expect(Set(issues.map(\.path)) == ["type", "qualification", "customerProfile.size", "target[0].type"])
        #expect(issues.first { $0.path == "type" }?.message.contains("did you mean Independent") == true)
    }

    @Test(arguments: [
        (ReferralStatus.new, ReferralSubstatus.pending, true), (.new, .received, true), (.new, .accepted, false),
        (.active, .accepted, true), (.active, .pending, false), (.active, .won, false),
        (.closed, .won, true), (.closed, .lost, true), (.closed, .declined, true), (.closed, .expired, true), (.closed, .accepted, false),
    ])
    func statusSubstatusTable(status: ReferralStatus, substatus: ReferralSubstatus, allowed: Bool) {
        #expect(StatusRules.isAllowed(status: status, substatus: substatus) == allowed)
        var referral = Self.valid()
        referral.status = status
        referral.substatus = substatus
        #expect(paths(referral).contains("substatus") == !allowed)
    }

    @Test func substatusNeedsAStatus() {
        var referral = Self.valid()
        referral.status = nil
        #expect(paths(referral) == ["status"])
        referral.substatus = nil
        #expect(paths(referral).isEmpty)
    }

    @Test(arguments: [
        (ReferralStatus.new, ReferralStatus.new, true), (.new, .active, true), (.new, .closed, true),
        (.active, .new, false), (.active, .active, true), (.active, .closed, true),
        (.closed, .new, false), (.closed, .active, false), (.closed, .closed, true),
    ])
    func transitions(from: ReferralStatus, to: ReferralStatus, allowed: Bool) {
        #expect(StatusRules.canTransition(from: from, to: to) == allowed)
        var referral = Self.valid()
        referral.status = to
        referral.substatus = StatusRules.substatuses(for: to).first
        let issues = referral.validationIssues(for: .update(from: from))
        // Closed is terminal in that it never leaves Closed; Closed → Closed is the table's own row.
        #expect(issues.contains { $0.path == "status" } == !allowed)
    }

    @Test func sharedReferralsNeedTargetsAndConnectedOnesAnEngagement() {
        var referral = Self.valid()
        referral.type = .shared
        #expect(paths(referral) == ["target"])
        referral.target = [.microsoft]
        #expect(paths(referral) == ["engagementId"])
        referral.engagementId = "e-1"
        #expect(paths(referral).isEmpty)
        referral.target = [ReferralTarget(type: .solutionProfile, id: " ")]
        #expect(paths(referral).contains("target[0].id"))
    }

    @Test func valuesAreSane() {
        var referral = Self.valid()
        referral.customerProfile?.address?.country = "UK"
        referral.customerProfile?.team?[0].email = "ann at fabrikam"
        referral.customerProfile?.team?[0].contactPreference?.locale = "English"
        referral.details?.currency = "usd"
        referral.details?.dealValue = -1
        referral.team = [Member(email: "a@b")]
        let issues = referral.validationIssues(for: .create)
        #expect(Set(issues.map(\.path)) == [
            "customerProfile.address.country", "customerProfile.team[0].email", "customerProfile.team[0].contactPreference.locale",
            "details.currency", "details.dealValue", "team[0].email",
        ])
        #expect(issues.first { $0.path == "details.currency" }?.message.contains("USD") == true)
        referral = Self.valid()
        referral.details?.currency = nil
        #expect(paths(referral) == ["details.currency"])
        referral.details?.dealValue = .infinity
        #expect(paths(referral).contains("details.dealValue"))
    }

    @Test func lengthAndCountLimits() {
        var referral = Self.valid()
        referral.name = String(repeating: "n", count: 301)
        referral.details?.notes = String(repeating: "n", count: 2001)
        referral.customerProfile?.team = Array(repeating: Member(firstName: "A"), count: 21)
        #expect(Set(paths(referral)) == ["name", "details.notes", "customerProfile.team"])
        #expect(ReferralLimits.maxLength(forPath: "customerProfile.team[3].email") == 100)
        #expect(ReferralLimits.maxLength(forPath: "details.dealValue") == nil)
    }

    @Test func receivedReferralsOnlyNeedTheirShape() {
        var referral = Referral(id: "x", status: "Archived", type: "Mystery")
        referral.eTag = "\"e\""
        #expect(referral.validationIssues(for: .received).isEmpty)
    }
}

@Suite struct ModelTests {
    @Test func unknownEnumValuesRoundTrip() throws {
        let json = #"{"status":"Archived","substatus":"Frozen","type":"Joint","customerProfile":{"size":"1to3employees"}}"#
        let referral = try ReferralJSON.decode(Array(json.utf8))
        #expect(referral.status?.rawValue == "Archived" && referral.status?.isDocumented == false)
        let again = String(decoding: ReferralJSON.encode(referral), as: UTF8.self)
        for value in ["Archived", "Frozen", "Joint", "1to3employees"] { #expect(again.contains(value)) }
    }

    @Test func unknownFieldsAreKeptAndWrittenBack() throws {
        let json = #"{"type":"Shared","favorite":true,"tags":["a"],"trackingInfo":{"microsoftMsxId":"7-X"},"registrations":[]}"#
        let referral = try ReferralJSON.decode(Array(json.utf8))
        #expect(referral.additionalFields["favorite"] == .bool(true))
        #expect(referral.additionalFields["trackingInfo"] == .object(["microsoftMsxId": .string("7-X")]))
        let back = try JSONSerialization.jsonObject(with: Data(ReferralJSON.encode(referral))) as! [String: Any]
        #expect(Set(back.keys) == ["type", "favorite", "tags", "trackingInfo", "registrations"])
    }

    @Test(arguments: [
        ("2019-02-23T02:05:23.2931817Z", 1_550_887_523.2931817), ("2018-11-14T00:00:00Z", 1_542_153_600.0),
        ("2024-06-25", 1_719_273_600.0), ("2024-06-25T10:00:00+02:00", 1_719_302_400.0), ("2024-06-25T10:00:00.5-01:30", 1_719_315_000.5),
    ])
    func dateTimesParse(text: String, seconds: Double) throws {
        let value = try #require(APIDateTime(text))
        #expect(abs(value.date.timeIntervalSince1970 - seconds) < 0.000_01)
        #expect(value.text == text)
    }

    @Test(arguments: ["2024-13-01", "2024-02-30T00:00:00Z", "yesterday", "2024-01-01T25:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z"])
    func invalidDateTimesAreRefused(text: String) {
        #expect(APIDateTime(text) == nil)
    }

    @Test func formattedDatesHaveSevenFractionalDigits() {
        let text = APIDateTime(Date(timeIntervalSince1970: 1_550_887_523.25)).text
        #expect(text == "2019-02-23T02:05:23.2500000Z")
    }

    @Test func eTagKeepsItsQuotes() throws {
        let referral = try ReferralJSON.decode(Array(#"{"eTag":"\"00006d10-0000-0000-0000-5c70aa630000\""}"#.utf8))
        #expect(referral.eTag == "\"00006d10-0000-0000-0000-5c70aa630000\"")
        #expect(String(decoding: ReferralJSON.encode(referral), as: UTF8.self).contains(#""eTag":"\"00006d10"#))
    }
}
