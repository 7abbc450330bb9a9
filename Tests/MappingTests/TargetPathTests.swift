import Foundation
import Importers
import Referrals
import Testing

@testable import Mapping

/// Issue #12 item 11: every documented member, the observed ones, and `extra.<path>` are mappable;
/// indexes go up to the array limits, and `[+]` appends.
@Suite struct TargetPathTests {
    @Test func everyDocumentedAndObservedMemberIsReachable() throws {
        let fields = """
              inviteContext.invitedBy.organizationId: { const: msft }
              inviteContext.invitedBy.organizationName: { const: Microsoft }
              details.customerAction: { const: Purchase }
              details.incentiveLevel: { const: Gold }
              campaignId: { const: CAMP-7 }
              salesStage: { const: Qualify }
              dealSensitivity: { const: None }
              tags[+]: { const: alpha }
              tags[1]: { const: beta }
              consent.consentToMicrosoftToContactSpecificPartners: { const: false }
              consent.consentToShareReferralWithMicrosoftSellers: { const: true }
              details.requirements.solutions[0].id: { const: SOL-2173-UYM }
              details.requirements.solutions[0].publisherName: { const: Fabrikam }
              details.requirements.solutions[0].solutionType: { const: SaaS }
              details.requirements.solutions[0].price: { const: "99.5" }
              details.requirements.solutions[0].quantity: { const: "3" }
              details.requirements.solutions[0].currency: { const: USD }
              details.requirements.offers[0].id: { const: OFF-1 }
              details.requirements.salesPlays[+]: { const: Migrate }
              extra.details.requirements.additionalRequirements.attributes[0].name: { const: customerMarketplaceIntent }
              extra.details.requirements.additionalRequirements.attributes[0].value: { const: "Yes" }
              extra.customerProfile.address.county: { const: King }
              extra.referralSource: { const: Web }
            """
        let referral = try #require(try MappingFixture.referral(fields, [:]))
        #expect(referral.inviteContext?.invitedBy == InvitedBy(organizationId: "msft", organizationName: "Microsoft"))
        #expect(referral.details?.customerAction == "Purchase" && referral.details?.incentiveLevel == "Gold")
        #expect(referral.additionalFields["campaignId"] == .string("CAMP-7"))
        #expect(referral.additionalFields["salesStage"] == .string("Qualify"))
        #expect(referral.additionalFields["dealSensitivity"] == .string("None"))
        #expect(referral.additionalFields["tags"] == .array([.string("alpha"), .string("beta")]))
        #expect(referral.additionalFields["referralSource"] == .string("Web"))
        #expect(referral.consent?.consentToMicrosoftToContactSpecificPartners == false)
        #expect(referral.consent?.consentToShareReferralWithMicrosoftSellers == true)
        let solution = try #require(referral.details?.requirements?.solutions?.first)
        #expect(solution.id == "SOL-2173-UYM")
        #expect(solution.additionalFields == [
            "publisherName": .string("Fabrikam"), "solutionType": .string("SaaS"), "price": .number(99.5), "quantity": .number(3), "currency": .string("USD"),
        ])
        let requirements = try #require(referral.details?.requirements)
        #expect(requirements.additionalFields["offers"] == .array([.object(["id": .string("OFF-1")])]))
        #expect(requirements.additionalFields["salesPlays"] == .array([.string("Migrate")]))
        #expect(requirements.additionalFields["additionalRequirements"] == .object([
            "attributes": .array([.object(["name": .string("customerMarketplaceIntent"), "value": .string("Yes")])]),
        ]))
        #expect(referral.customerProfile?.address?.additionalFields["county"] == .string("King"))
        // What the mapping set is what goes on the wire, and reads back the same.
        #expect(try ReferralJSON.decode(ReferralJSON.encode(referral)) == referral)
    }

    @Test func indexesReachTheArrayLimitsAndAppendAddsItems() throws {
        #expect(TargetPath("customerProfile.team[15].email") != nil)
        #expect(TargetPath("customerProfile.team[19].email") != nil)
        #expect(TargetPath("customerProfile.team[20].email") == nil)  // ReferralLimits.counts: 20
        #expect(TargetPath("target[9].id") != nil && TargetPath("target[10].id") == nil)
        #expect(TargetPath("customerProfile.ids[99].id") != nil && TargetPath("customerProfile.ids[100].id") == nil)
        #expect(TargetPath("team[-1].email") == nil && TargetPath("team[x].email") == nil)
        let referral = try #require(try MappingFixture.referral("""
              details.requirements.industries[+].id: { const: Manufacturing }
              details.requirements.products[0].id: { const: Azure }
              details.requirements.products[+].id: { const: Office }
              customerProfile.team[12].email: { const: late@contoso.example }
            """, [:]))
        #expect(referral.details?.requirements?.industries == [Tag(id: "Manufacturing")])
        // `[+]` adds after what the rules before it set.
        #expect(referral.details?.requirements?.products == [Tag(id: "Azure"), Tag(id: "Office")])
        #expect(referral.customerProfile?.team?.count == 13 && referral.customerProfile?.team?[12].email == "late@contoso.example")
    }

    @Test func extraReachesOnlyWhatTheModelDoesNotName() {
        #expect(TargetPath("extra.campaignCode") != nil)
        #expect(TargetPath("extra.details.requirements.offers[+].name") != nil)
        #expect(TargetPath("extra.name") == nil)  // a documented member: map `name`
        #expect(TargetPath("extra.details.notes") == nil)
        #expect(TargetPath("extra.customerProfile.address.city") == nil)
        #expect(TargetPath("extra.") == nil && TargetPath("extra.a..b") == nil && TargetPath("extra.a[x]") == nil)
    }
}
