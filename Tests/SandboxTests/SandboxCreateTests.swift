import Foundation
import Referrals
import Testing

@testable import Sandbox

@Suite struct SandboxCreateTests {
    @Test func seedRequestGivesTheSeedResponse() async throws {
        let clock = ManualClock()
        try await SandboxHarness.with({ $0.now = clock.reader }) { sandbox in
            let answer = try await sandbox.request("POST", SandboxHarness.collection, body: try Seed.data("create-request.json"))
            #expect(answer.status == 201)
            #expect(answer.json["@odata.context"] == nil)  // the documented create response has none
            let got = try #require(answer.referral)
            let want = try ReferralJSON.decode(try Seed.data("create-response.json"))

            // Server-assigned values: present and well-formed, but our own.
            let id = try #require(got.id)
            let engagementId = try #require(got.engagementId)
            #expect(UUID(uuidString: id) != nil && UUID(uuidString: engagementId) != nil)
            #expect(got.organizationId == SandboxConfiguration().organizationId)
            #expect(got.organizationName == SandboxConfiguration().organizationName)
            let created = try #require(got.createdDateTime)
            #expect(got.updatedDateTime == created)
            #expect(created.text.count == "2019-02-23T02:05:23.2931817Z".count)
            #expect(created == APIDateTime(clock.now))
            let eTag = try #require(got.eTag)
            #expect(eTag.wholeMatch(of: /"[0-9a-f]{8}-0000-0000-0000-[0-9a-f]{12}"/) != nil, "\(eTag)")
            #expect(answer.header("ETag") == eTag)
            #expect(got.links?.`self`?.uri == "http://127.0.0.1:\(sandbox.server.port)/v1.0/engagements/referrals/\(id)")
            #expect(got.links?.`self`?.method == "GET")
            #expect(got.links?.relatedReferrals?.uri
                == "http://127.0.0.1:\(sandbox.server.port)/v1.0/engagements/referrals?$filter=engagementId eq '\(engagementId)'")

            // What the contract says differs: the newer acceptedDateTime (= creation time for an
            // outgoing referral) and direction, which the 2019 example predates.
            #expect(got.acceptedDateTime == created)
            #expect(got.direction == .outgoing)
            // The documented response omits details.closingDateTime although the request sent it;
            // the contract says nothing of dropping it, so the sandbox keeps what the client sent.
            #expect(got.details?.closingDateTime == APIDateTime("2018-11-14T00:00:00Z"))

            // Everything else equals the documented response, field by field (the model's equality
            // covers every field, unknown ones included).
            var comparable = got
            comparable.id = want.id
            comparable.engagementId = want.engagementId
            comparable.organizationId = want.organizationId
            comparable.organizationName = want.organizationName
            comparable.createdDateTime = want.createdDateTime
            comparable.updatedDateTime = want.updatedDateTime
            comparable.eTag = want.eTag
            comparable.links = want.links
            comparable.acceptedDateTime = nil
            comparable.direction = nil
            comparable.details?.closingDateTime = nil
            // Real answers carry `tags: []` [I]; the 2019 example predates the member.
            #expect(comparable.additionalFields["tags"] == .array([]))
            comparable.additionalFields["tags"] = nil
            #expect(comparable == want)
            #expect(comparable.status == .active && comparable.substatus == .accepted)  // sent New/Pending
        }
    }

    @Test func acceptOutgoingOffKeepsTheStatusSent() async throws {
        try await SandboxHarness.with({ $0.acceptOutgoing = false }) { sandbox in
            let got = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
            #expect(got.status == .new && got.substatus == .pending && got.acceptedDateTime == nil)
        }
    }

    @Test func createStatus200() async throws {
        try await SandboxHarness.with({ $0.createStatus = 200 }) { sandbox in
            let answer = try await sandbox.create(SandboxHarness.valid())
            #expect(answer.status == 200 && answer.referral?.id != nil)
        }
    }

    @Test func getReturnsTheStoredReferral() async throws {
        try await SandboxHarness.with { sandbox in
            let created = try #require(try await sandbox.create(SandboxHarness.valid("g-1")).referral)
            let read = try await sandbox.get(created.id!)
            #expect(read.status == 200)
            #expect(read.json["@odata.context"] as? String == "http://127.0.0.1:\(sandbox.server.port)/v1.0/$metadata#Referrals/$entity")
            var got = try #require(read.referral)
            got.odataContext = nil
            #expect(got == created)
            #expect(read.header("ETag") == created.eTag)
        }
    }

    @Test func unknownIdIs404() async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.get("3f1c1d1e-0000-4000-8000-000000000000")
            #expect(answer.status == 404 && answer.errorCode == "itemNotFound" && answer.errorTarget == "id")
            let inner = try #require(answer.error["innerError"] as? [String: Any])
            #expect(inner["code"] as? String == "itemNotFound")
            // An unknown path or method answers in the same error shape.
            let path = try await sandbox.request("GET", "/v1.0/engagements/nothing")
            #expect(path.status == 404 && path.errorCode == "itemNotFound")
            let delete = try await sandbox.request("DELETE", SandboxHarness.collection + "/3f1c1d1e-0000-4000-8000-000000000000")
            #expect(delete.status == 405 && delete.errorCode == "invalidRequest" && delete.errorTarget == "method")
        }
    }

    @Test func requestIdsAreEchoed() async throws {
        try await SandboxHarness.with { sandbox in
            let answer = try await sandbox.create(
                SandboxHarness.valid(), headers: ["MS-RequestId": "req-1", "MS-CorrelationId": "corr-1", "client-request-id": "creq-1"])
            #expect(answer.header("MS-RequestId") == "req-1")
            #expect(answer.header("MS-CorrelationId") == "corr-1")
            #expect(answer.header("client-request-id") == "creq-1")
            #expect(answer.header("request-id") == "req-1")
            // Errors echo them too, and a request without ids still gets a request-id.
            let missing = try await sandbox.request("GET", SandboxHarness.collection + "/x", headers: ["MS-CorrelationId": "corr-2"])
            #expect(missing.status == 404 && missing.header("MS-CorrelationId") == "corr-2")
            #expect(missing.header("request-id")?.isEmpty == false)
        }
    }

    @Test func sharedTwoStepKeepsTheEngagement() async throws {
        try await SandboxHarness.with { sandbox in
            let shared = try #require(try await sandbox.create(SandboxHarness.valid("crm-1", type: .shared)).referral)
            let engagementId = try #require(shared.engagementId)
            var connected = SandboxHarness.valid("crm-1", type: .shared)
            connected.target = [.microsoft]
            // Without the engagementId it is refbridge's validator that warns; nothing documented
            // makes the service refuse it, so the sandbox creates it (in an engagement of its own).
            #expect(connected.validationIssues(for: .create).contains { $0.path == "engagementId" && $0.severity == .warning })
            let withoutEngagement = try await sandbox.create(connected)
            #expect(withoutEngagement.status == 201)
            #expect(withoutEngagement.referral?.engagementId != engagementId)
            connected.engagementId = engagementId
            let second = try await sandbox.create(connected)
            #expect(second.status == 201)
            let secondReferral = try #require(second.referral)
            #expect(secondReferral.engagementId == engagementId)
            #expect(secondReferral.id != shared.id)
            #expect(secondReferral.target == [ReferralTarget(type: .businessProfileLocation, id: "msft")])
            let related = try await sandbox.list("$filter=engagementId eq '\(engagementId)'")
            #expect(Set(related.value.compactMap { $0["id"] as? String }) == [shared.id!, secondReferral.id!])
            // The relatedReferrals link is exactly that query.
            #expect(secondReferral.links?.relatedReferrals?.uri?.hasSuffix("$filter=engagementId eq '\(engagementId)'") == true)
            var unknown = connected
            unknown.engagementId = "00000000-0000-0000-0000-000000000000"
            // An engagementId the sandbox does not know: no documented check, so accepted too.
            #expect(try await sandbox.create(unknown).status == 201)
            #expect(await sandbox.server.allReferrals().count == 4)
        }
    }

    @Test func idempotencyOnReturnsTheSameReferral() async throws {
        try await SandboxHarness.with({ $0.idempotency = true }) { on in
            let first = try await on.create(SandboxHarness.valid("a"), headers: ["MS-RequestId": "r-1"])
            let again = try await on.create(SandboxHarness.valid("a"), headers: ["MS-RequestId": "r-1"])
            #expect(first.status == 201 && again.status == 201)
            #expect(first.referral?.id != nil && first.referral?.id == again.referral?.id)
            let other = try await on.create(SandboxHarness.valid("b"), headers: ["MS-RequestId": "r-2"])
            #expect(other.referral?.id != first.referral?.id)
            #expect(await on.server.allReferrals().count == 2)
        }
        try await SandboxHarness.with { off in
            _ = try await off.create(SandboxHarness.valid("a"), headers: ["MS-RequestId": "r-1"])
            _ = try await off.create(SandboxHarness.valid("a"), headers: ["MS-RequestId": "r-1"])
            #expect(await off.server.allReferrals().count == 2)
        }
    }

    @Test func creationTimesStrictlyIncreaseUnderConcurrency() async throws {
        try await SandboxHarness.with { sandbox in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask { try await sandbox.create(SandboxHarness.valid("c-\(index)")).status }
                }
                for try await status in group { #expect(status == 201) }
            }
            let all = await sandbox.server.allReferrals()
            #expect(all.count == 40)
            #expect(Set(all.compactMap(\.id)).count == 40)
            #expect(Set(all.compactMap(\.eTag)).count == 40)
            let times = all.compactMap(\.createdDateTime)
            #expect(times.count == 40)
            #expect(zip(times, times.dropFirst()).allSatisfy { $0.text < $1.text }, "creation times must strictly increase in store order")
        }
    }
}
