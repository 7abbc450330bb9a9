import Foundation
import Referrals
import Testing

@testable import Sandbox

@Suite struct SandboxCreateTests {
    @Test func seedRequestGivesTheSeedResponse() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let answer = try await sandbox.request("POST", "/v1.0/engagements/referrals", body: try Seed.data("create-request.json"))
        #expect(answer.status == 201)
        let got = try #require(answer.referral)
        let want = try ReferralJSON.decode(try Seed.data("create-response.json"))
        // Server-assigned values differ by nature; everything the client sent comes back as documented.
        #expect(got.id != nil && got.engagementId != nil && got.eTag?.hasPrefix("\"") == true && got.eTag?.hasSuffix("\"") == true)
        #expect(got.organizationId != nil && got.organizationName != nil)
        #expect(got.createdDateTime == got.updatedDateTime)
        #expect(got.status == want.status && got.substatus == want.substatus)  // Active/Accepted, as documented
        #expect(got.acceptedDateTime == got.createdDateTime)
        #expect(got.name == want.name && got.statusReason == want.statusReason)
        #expect(got.qualification == want.qualification && got.type == want.type)
        #expect(got.target == want.target && got.customerProfile == want.customerProfile)
        #expect(got.consent == want.consent && got.team == want.team && got.inviteContext == want.inviteContext)
        // The documented response omits details.closingDateTime although the request sent it; the
        // sandbox keeps what the client sent (the contract says nothing of dropping it).
        var details = got.details
        details?.closingDateTime = nil
        #expect(details == want.details)
        #expect(got.links?.`self`?.uri?.hasSuffix("/v1.0/engagements/referrals/\(got.id!)") == true)
        #expect(got.links?.relatedReferrals?.uri?.contains("engagementId eq '\(got.engagementId!)'") == true)
    }

    @Test func acceptOutgoingOffKeepsTheStatusSent() async throws {
        let sandbox = try await SandboxHarness.start { $0.acceptOutgoing = false }
        defer { Task { await sandbox.server.shutdown() } }
        let got = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
        #expect(got.status == .new && got.substatus == .pending && got.acceptedDateTime == nil)
    }

    @Test func createStatus200() async throws {
        let sandbox = try await SandboxHarness.start { $0.createStatus = 200 }
        defer { Task { await sandbox.server.shutdown() } }
        #expect(try await sandbox.create(SandboxHarness.valid()).status == 200)
    }

    @Test func missingBearerTokenIs401() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let answer = try await sandbox.request("POST", "/v1.0/engagements/referrals", body: Data(ReferralJSON.encode(SandboxHarness.valid())), auth: false)
        #expect(answer.status == 401)
        #expect(answer.errorCode == "unauthenticated")
        #expect(try await sandbox.request("GET", "/v1.0/engagements/referrals", auth: false).status == 401)
        #expect(await sandbox.server.allReferrals().isEmpty)
    }

    @Test func validationNamesEveryWrongField() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        var referral = SandboxHarness.valid()
        referral.consent = nil
        referral.customerProfile?.address?.country = "GBR"
        referral.customerProfile?.team?[0].email = "not-an-email"
        referral.substatus = .won
        let answer = try await sandbox.create(referral)
        #expect(answer.status == 400)
        #expect(answer.errorCode == "invalidRequest")
        for path in ["consent", "customerProfile.address.country", "customerProfile.team[0].email", "substatus"] {
            #expect(answer.errorMessage.contains(path), "message should name \(path): \(answer.errorMessage)")
        }
        #expect(await sandbox.server.allReferrals().isEmpty)
    }

    @Test func malformedAndMistypedBodiesAre400NamingTheField() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let broken = try await sandbox.request("POST", "/v1.0/engagements/referrals", body: Data("{\"type\": ".utf8))
        #expect(broken.status == 400 && broken.errorMessage.contains("not valid JSON"))
        let array = try await sandbox.request("POST", "/v1.0/engagements/referrals", body: Data("[]".utf8))
        #expect(array.status == 400)
        var json = try JSONSerialization.jsonObject(with: Data(ReferralJSON.encode(SandboxHarness.valid()))) as! [String: Any]
        var details = json["details"] as! [String: Any]
        details["dealValue"] = ["amount": 3]
        json["details"] = details
        let mistyped = try await sandbox.request("POST", "/v1.0/engagements/referrals", body: try JSONSerialization.data(withJSONObject: json))
        #expect(mistyped.status == 400)
        #expect(mistyped.errorTarget == "details.dealValue")
        #expect(await sandbox.server.allReferrals().isEmpty)
    }

    @Test func unknownEnumValueIs400AndUnknownFieldsAreKept() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        var referral = SandboxHarness.valid()
        referral.qualification = "VeryQualified"
        let bad = try await sandbox.create(referral)
        #expect(bad.status == 400 && bad.errorMessage.contains("qualification"))
        referral.qualification = .direct
        referral.additionalFields["campaignId"] = .string("CAMP-1")
        let good = try await sandbox.create(referral)
        #expect(good.status == 201)
        #expect(good.referral?.additionalFields["campaignId"] == .string("CAMP-1"))
    }

    @Test func oversizedBodyIs413() async throws {
        let sandbox = try await SandboxHarness.start { $0.maxBodyBytes = 4096 }
        defer { Task { await sandbox.server.shutdown() } }
        var referral = SandboxHarness.valid()
        referral.details?.notes = String(repeating: "x", count: 10_000)
        let answer = try await sandbox.create(referral)
        #expect(answer.status == 413)
        #expect(answer.errorCode == "invalidRequest")
    }

    @Test func unknownIdIs404() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let answer = try await sandbox.request("GET", "/v1.0/engagements/referrals/nope")
        #expect(answer.status == 404 && answer.errorCode == "itemNotFound")
    }

    @Test func requestIdsAreEchoed() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let answer = try await sandbox.create(SandboxHarness.valid(), headers: ["MS-RequestId": "req-1", "MS-CorrelationId": "corr-1", "client-request-id": "req-1"])
        #expect(answer.header("MS-RequestId") == "req-1")
        #expect(answer.header("MS-CorrelationId") == "corr-1")
        #expect(answer.header("client-request-id") == "req-1")
        #expect(answer.header("request-id") == "req-1")
    }

    @Test func sharedTwoStepKeepsTheEngagement() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let shared = try #require(try await sandbox.create(SandboxHarness.valid("crm-1", type: .shared)).referral)
        let engagementId = try #require(shared.engagementId)
        var connected = SandboxHarness.valid("crm-1", type: .shared)
        connected.target = [.microsoft]
        let withoutEngagement = try await sandbox.create(connected)
        #expect(withoutEngagement.status == 400 && withoutEngagement.errorMessage.contains("engagementId"))
        connected.engagementId = engagementId
        let second = try await sandbox.create(connected)
        #expect(second.status == 201)
        #expect(second.referral?.engagementId == engagementId)
        #expect(second.referral?.target == [ReferralTarget(type: .businessProfileLocation, id: "msft")])
        let filter = "engagementId eq '\(engagementId)'".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let related = try await sandbox.request("GET", "/v1.0/engagements/referrals?$filter=\(filter)")
        #expect((related.json["value"] as? [Any])?.count == 2)
        var unknown = connected
        unknown.engagementId = "00000000-0000-0000-0000-000000000000"
        #expect(try await sandbox.create(unknown).status == 400)
    }

    @Test func idempotencyOnReturnsTheSameReferral() async throws {
        let on = try await SandboxHarness.start { $0.idempotency = true }
        defer { Task { await on.server.shutdown() } }
        let first = try await on.create(SandboxHarness.valid("a"), headers: ["MS-RequestId": "r-1"])
        let again = try await on.create(SandboxHarness.valid("a"), headers: ["MS-RequestId": "r-1"])
        #expect(first.referral?.id == again.referral?.id)
        #expect(await on.server.allReferrals().count == 1)

        let off = try await SandboxHarness.start()
        defer { Task { await off.server.shutdown() } }
        _ = try await off.create(SandboxHarness.valid("a"), headers: ["MS-RequestId": "r-1"])
        _ = try await off.create(SandboxHarness.valid("a"), headers: ["MS-RequestId": "r-1"])
        #expect(await off.server.allReferrals().count == 2)
    }
}
