import Foundation
import Referrals
import Testing

@testable import Sandbox

/// Issue #12: the sandbox accepts what Microsoft shows as valid and answers in the shape real
/// answers have.
@Suite struct SandboxFidelityTests {
    /// Modelled on Microsoft's current create sample for a private deal: PascalCase consent keys,
    /// Independent, SalesQualified, not shared with Microsoft sellers, no team, no target.
    static let privateDealSample = #"""
        {
            "name": "Private deal from the current sample",
            "qualification": "SalesQualified",
            "type": "Independent",
            "customerProfile": {
                "name": "Contoso Customer Inc",
                "address": {"addressLine1": "One Microsoft Way", "city": "Redmond", "state": "WA", "postalCode": "98052", "country": "US"},
                "size": "10to50employees"
            },
            "consent": {
                "ConsentToToShareInfoWithOthers": true,
                "ConsentToContact": true,
                "ConsentToMicrosoftToContactSpecificPartners": false,
                "consentToShareReferralWithMicrosoftSellers": false
            },
            "details": {"notes": "Private", "dealValue": 5000, "currency": "USD", "closingDateTime": "2026-12-31T00:00:00Z"}
        }
        """#

    @Test func theCurrentPrivateDealSampleWithPascalCaseKeysIsCreatedAndAnsweredInCamelCase() async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.request("POST", SandboxHarness.collection, body: Data(Self.privateDealSample.utf8))
            #expect(answer.status == 201, "\(answer.errorMessage)")
            let consent = try #require((answer.json["consent"] as? [String: Any]))
            #expect(consent["consentToToShareInfoWithOthers"] as? Bool == true)
            #expect(consent["consentToContact"] as? Bool == true)
            #expect(consent["consentToMicrosoftToContactSpecificPartners"] as? Bool == false)
            #expect(consent["consentToShareReferralWithMicrosoftSellers"] as? Bool == false)
            #expect(consent.keys.allSatisfy { $0.first?.isLowercase == true }, "\(consent.keys)")
        }
    }

    @Test func theSeedRequestStillGets201() async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.request("POST", SandboxHarness.collection, body: try Seed.data("create-request.json"))
            #expect(answer.status == 201, "\(answer.errorMessage)")
        }
    }

    @Test func answersCarryEmptyArraysAndNullsAndATeamCanBeAddedToAReferralCreatedWithout() async throws {
        try await SandboxHarness.with { sandbox in
            var referral = SandboxHarness.valid("no-team")
            referral.customerProfile?.team = nil
            referral.externalReferenceId = nil
            let created = try await sandbox.create(referral)
            #expect(created.status == 201)
            let json = created.json
            #expect((json["team"] as? [Any])?.isEmpty == true)
            #expect((json["target"] as? [Any])?.isEmpty == true)
            #expect((json["tags"] as? [Any])?.isEmpty == true)
            #expect(json["externalReferenceId"] is NSNull)
            #expect(json["expirationDateTime"] is NSNull)
            #expect(((json["customerProfile"] as? [String: Any])?["team"] as? [Any])?.isEmpty == true)
            let id = try #require(created.referral?.id)
            let member: [String: Any] = ["firstName": "Joe", "lastName": "Hansen", "email": "joe.hansen@contoso.example"]
            let patched = try await sandbox.patch(id, [["op": "add", "path": "/customerProfile/team/-", "value": member]], headers: ["Prefer": "return=representation"])
            #expect(patched.status == 200, "\(patched.errorMessage)")
            #expect(patched.referral?.customerProfile?.team?.map(\.email) == ["joe.hansen@contoso.example"])
            let own = try await sandbox.patch(id, [["op": "add", "path": "/team/-", "value": member]])
            #expect(own.status == 204, "\(own.errorMessage)")
        }
    }

    @Test func aClosedReferralMovesBetweenClosedSubstatusesAndNeverLeavesClosed() async throws {
        try await SandboxHarness.with { sandbox in
            let created = try await sandbox.create(SandboxHarness.valid("closed"))
            let id = try #require(created.referral?.id)
            func move(_ status: String, _ substatus: String) async throws -> SandboxHarness.Answer {
                try await sandbox.patch(
                    id, [["op": "replace", "path": "/status", "value": status], ["op": "replace", "path": "/substatus", "value": substatus]],
                    headers: ["Prefer": "return=representation"])
            }
            let lost = try await move("Closed", "Lost")
            #expect(lost.status == 200 && lost.referral?.substatus == .lost, "\(lost.errorMessage)")
            let closedAt = lost.referral?.closedDateTime
            // The status table: Closed → Closed with Won, Lost, Declined or Expired.
            let won = try await move("Closed", "Won")
            #expect(won.status == 200 && won.referral?.substatus == .won, "\(won.errorMessage)")
            #expect(won.referral?.closedDateTime == closedAt)  // closed once, when it first closed
            let reopened = try await move("Active", "Accepted")
            #expect(reopened.status == 400 && reopened.errorTarget == "status", "\(reopened.errorMessage)")
            let wrongPair = try await move("Closed", "Accepted")
            #expect(wrongPair.status == 400 && wrongPair.errorTarget == "substatus", "\(wrongPair.errorMessage)")
            #expect(await sandbox.server.allReferrals().first?.substatus == .won)
        }
    }

    /// Issue #12 item 10: `--expire-after` emulates the service archiving what nobody acted on.
    @Test func expireAfterSetsTheExpiryAndMovesTheReferralToClosedExpired() async throws {
        let clock = ManualClock()
        try await SandboxHarness.with({
            $0.expireAfter = 60
            $0.now = clock.reader
        }) { sandbox in
            let created = try #require(try await sandbox.create(SandboxHarness.valid("expiring")).referral)
            let id = try #require(created.id)
            let expiry = try #require(created.expirationDateTime)
            #expect(abs(expiry.date.timeIntervalSince(created.createdDateTime!.date) - 60) < 0.001)
            clock.advance(by: 59)
            #expect(try await sandbox.get(id).referral?.status == .active)
            clock.advance(by: 2)
            let expired = try #require(try await sandbox.get(id).referral)
            #expect(expired.status == .closed && expired.substatus == .expired)
            #expect(expired.closedDateTime != nil && expired.eTag != created.eTag)
            // What expired is listed as such, and the table still allows Closed → Closed/Won.
            #expect(try await sandbox.list("$filter=substatus eq 'Expired'").value.count == 1)
            let won = try await sandbox.patch(id, [["op": "replace", "path": "/substatus", "value": "Won"]])
            #expect(won.status == 204, "\(won.errorMessage)")
        }
        // Off by default: no expirationDateTime, nothing expires.
        try await SandboxHarness.with({ $0.now = clock.reader }) { sandbox in
            let created = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
            #expect(created.expirationDateTime == nil)
            clock.advance(by: 365 * 86_400)
            #expect(try await sandbox.get(created.id!).referral?.status == .active)
        }
    }
}
