import Foundation
import Testing

@testable import Referrals

/// Issue #12: the model reads members in any case, keeps unknown members at every level, and
/// reads a server's odd shapes leniently; the validator splits documented rules from ours.
@Suite struct ModelFidelityTests {
    @Test func membersBindRegardlessOfCaseAndAreWrittenInCamelCase() throws {
        let body = #"{"Type":"Independent","consent":{"ConsentToToShareInfoWithOthers":true,"CONSENTTOCONTACT":false,"consentToContact":true}}"#
        let referral = try JSONDecoder().decode(Referral.self, from: Data(body.utf8))  // strict, as the sandbox reads requests
        #expect(referral.type == .independent)
        #expect(referral.consent?.consentToToShareInfoWithOthers == true)
        #expect(referral.consent?.consentToContact == true)  // the exact spelling wins over another case
        #expect(referral.additionalFields.isEmpty && referral.consent?.additionalFields.isEmpty == true)
        let written = String(decoding: ReferralJSON.encode(referral), as: UTF8.self)
        #expect(written.contains(#""consentToToShareInfoWithOthers":true"#) && written.contains(#""type":"Independent""#))
    }

    @Test func strictDecodingStillNamesAWrongShape() {
        let body = #"{"customerProfile":{"ids":{}}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Referral.self, from: Data(body.utf8)) }
    }

    @Test func leniencyKeepsAnUnreadableMemberRawAndWritesItBack() throws {
        let body = #"{"customerProfile":{"ids":{},"size":""},"details":{"dealValue":"10000","requirements":{"offers":[{"id":"O"}]}}}"#
        let referral = try ReferralJSON.decode(Data(body.utf8))
        #expect(referral.customerProfile?.ids == nil)
        #expect(referral.customerProfile?.additionalFields["ids"] == .object([:]))
        #expect(referral.customerProfile?.size == "")
        #expect(referral.details?.additionalFields["dealValue"] == .string("10000"))
        #expect(referral.details?.requirements?.additionalFields["offers"] == .array([.object(["id": .string("O")])]))
        let again = try ReferralJSON.decode(ReferralJSON.encode(referral))
        #expect(again == referral)
        // Setting the typed value later wins over the raw one: never written twice.
        var changed = referral
        changed.customerProfile?.ids = [CustomerProfileId(profileType: .duns, id: "1")]
        let text = String(decoding: ReferralJSON.encode(changed), as: UTF8.self)
        #expect(text.components(separatedBy: #""ids""#).count == 2, "\(text)")
        #expect(try JSONSerialization.jsonObject(with: Data(ReferralJSON.encode(changed))) is [String: Any])
        // The Codable path agrees with the writer.
        let viaEncoder = try JSONEncoder().encode(changed)
        #expect(try ReferralJSON.decode(viaEncoder) == (try ReferralJSON.decode(ReferralJSON.encode(changed))))
    }

    @Test func ourRulesAreWarningsWithAReasonAndTheDocumentedOnesErrors() {
        var referral = Referral(type: .independent, customerProfile: CustomerProfile(), consent: Consent(), details: ReferralDetails(dealValue: 5))
        var issues = referral.validationIssues(for: .create)
        #expect(issues.allSatisfy { $0.severity == .warning }, "\(issues)")
        #expect(Set(issues.map(\.rule)) == [.customerName, .customerAddress, .consentFlags, .currencyWithDealValue])
        #expect(issues.allSatisfy { !$0.rule.reason.isEmpty })
        #expect(referral.documentedViolations(for: .create).isEmpty)
        referral.type = nil
        referral.status = "Open"
        issues = referral.documentedViolations(for: .create)
        #expect(Set(issues.map(\.path)) == ["type", "status"])
        #expect(Set(issues.map(\.rule)) == [.required, .documentedEnum])
        // Real data: a blank DUNS id and an empty size are only warnings.
        var real = referral
        real.type = .independent
        real.status = nil
        real.customerProfile = CustomerProfile(size: "", ids: [CustomerProfileId(profileType: .duns, id: "")])
        #expect(real.documentedViolations(for: .create).isEmpty)
        #expect(Set(real.validationIssues(for: .create).map(\.rule)).isSuperset(of: [.customerIdValue, .undocumentedEnum]))
    }
}
