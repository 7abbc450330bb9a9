import Foundation
import Referrals
import Testing

@testable import Sandbox

@Suite struct SandboxUpdateTests {
    @Test func putNeedsAFreshIfMatch() async throws {
        try await SandboxHarness.with { sandbox in
            var referral = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
            let path = SandboxHarness.collection + "/" + referral.id!
            referral.links = nil
            referral.details?.notes = "changed"
            let body = Data(ReferralJSON.encode(referral))
            let missing = try await sandbox.request("PUT", path, body: body)
            #expect(missing.status == 428 && missing.errorCode == "preconditionRequired" && missing.errorTarget == "If-Match")
            let stale = try await sandbox.request("PUT", path, body: body, headers: ["If-Match": "\"00000000-0000-0000-0000-000000000000\""])
            #expect(stale.status == 412 && stale.errorCode == "preconditionFailed")
            // The quotes are part of the eTag: the bare value does not match.
            let unquoted = referral.eTag!.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            #expect(try await sandbox.request("PUT", path, body: body, headers: ["If-Match": unquoted]).status == 412)
            let ok = try await sandbox.request("PUT", path, body: body, headers: ["If-Match": referral.eTag!])
            #expect(ok.status == 200)
            let updated = try #require(ok.referral)
            #expect(updated.details?.notes == "changed")
            #expect(updated.eTag != referral.eTag && ok.header("ETag") == updated.eTag)
            #expect(updated.createdDateTime == referral.createdDateTime)
            #expect(updated.updatedDateTime! > referral.updatedDateTime!)
            #expect(updated.links?.`self`?.uri?.hasSuffix("/referrals/" + referral.id!) == true)  // links come back, not as sent
            // The old eTag is now stale.
            #expect(try await sandbox.request("PUT", path, body: body, headers: ["If-Match": referral.eTag!]).status == 412)
            #expect(try await sandbox.get(referral.id!).referral?.eTag == updated.eTag)
        }
    }

    @Test func putKeepsServerFieldsAndRefusesBadBodies() async throws {
        try await SandboxHarness.with { sandbox in
            let created = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
            let path = SandboxHarness.collection + "/" + created.id!
            var forged = created
            forged.organizationId = "someone-else"
            forged.createdDateTime = APIDateTime("2001-01-01T00:00:00Z")
            forged.links = nil
            let answer = try await sandbox.request("PUT", path, body: Data(ReferralJSON.encode(forged)), headers: ["If-Match": created.eTag!])
            #expect(answer.status == 200)
            #expect(answer.referral?.organizationId == created.organizationId && answer.referral?.createdDateTime == created.createdDateTime)
            let eTag = try #require(answer.referral?.eTag)
            var other = forged
            other.id = "another-id"
            let mismatch = try await sandbox.request("PUT", path, body: Data(ReferralJSON.encode(other)), headers: ["If-Match": eTag])
            #expect(mismatch.status == 400 && mismatch.errorTarget == "id")
            var invalid = forged
            invalid.type = "Public"
            let refused = try await sandbox.request("PUT", path, body: Data(ReferralJSON.encode(invalid)), headers: ["If-Match": eTag])
            #expect(refused.status == 400 && refused.errorMessage.contains("type"))
            var noType = forged
            noType.type = nil
            let partial = try await sandbox.request("PUT", path, body: Data(ReferralJSON.encode(noType)), headers: ["If-Match": eTag])
            #expect(partial.status == 400 && partial.errorTarget == "type")
            let broken = try await sandbox.request("PUT", path, body: Data("{".utf8), headers: ["If-Match": eTag])
            #expect(broken.status == 400 && broken.errorTarget == "body")
            let unknown = try await sandbox.request("PUT", SandboxHarness.collection + "/nope", body: Data(ReferralJSON.encode(forged)), headers: ["If-Match": eTag])
            #expect(unknown.status == 404)
            // None of the refused writes changed anything.
            #expect(try await sandbox.get(created.id!).referral?.eTag == eTag)
            // refbridge's own rules are not the sandbox's: a country it would warn about is stored,
            // and a PUT without substatus keeps the stored one while the status stays.
            var ours = forged
            ours.customerProfile?.address?.country = "ZZZ"
            ours.substatus = nil
            let accepted = try await sandbox.request("PUT", path, body: Data(ReferralJSON.encode(ours)), headers: ["If-Match": eTag])
            #expect(accepted.status == 200, "\(accepted.errorMessage)")
            #expect(accepted.referral?.customerProfile?.address?.country == "ZZZ" && accepted.referral?.substatus == created.substatus)
        }
    }

    @Test func patchReplacesAndAdds() async throws {
        try await SandboxHarness.with { sandbox in
            var referral = SandboxHarness.valid()
            referral.team = [Member(firstName: "Ann", email: "ann@partner.example")]
            let created = try #require(try await sandbox.create(referral).referral)
            let id = created.id!
            let plain = try await sandbox.patch(id, [
                ["op": "replace", "path": "/details/dealValue", "value": "10000"],
                ["op": "add", "path": "/team/-", "value": ["firstName": "Kim", "email": "kim@partner.example"]],
                ["op": "add", "path": "/team/0", "value": ["firstName": "Lou", "email": "lou@partner.example"]],
                ["op": "add", "path": "/customerProfile/address/postalCode", "value": "LS1 1AA"],
                ["op": "add", "path": "/campaignId", "value": "CAMP-9"],
            ])
            #expect(plain.status == 204)
            #expect(plain.data.isEmpty)
            #expect(plain.header("ETag")?.isEmpty == false)
            let read = try #require(try await sandbox.get(id).referral)
            #expect(read.details?.dealValue == 10000)
            #expect(read.team?.compactMap(\.email) == ["lou@partner.example", "ann@partner.example", "kim@partner.example"])
            #expect(read.customerProfile?.address?.postalCode == "LS1 1AA")
            #expect(read.additionalFields["campaignId"] == .string("CAMP-9"))
            #expect(read.eTag != created.eTag && read.eTag == plain.header("ETag"))
            let represented = try await sandbox.patch(
                id, [["op": "replace", "path": "/details/notes", "value": "n"]],
                headers: ["Prefer": "return=representation", "If-Match": read.eTag!])
            #expect(represented.status == 200 && represented.referral?.details?.notes == "n")
            #expect(represented.referral?.eTag != read.eTag)
            let stale = try await sandbox.patch(id, [["op": "replace", "path": "/details/notes", "value": "m"]], headers: ["If-Match": read.eTag!])
            #expect(stale.status == 412 && stale.errorCode == "preconditionFailed")
            #expect(try await sandbox.get(id).referral?.details?.notes == "n")
        }
    }

    @Test func patchRefusesWhatTheAPIDoesNot() async throws {
        try await SandboxHarness.with { sandbox in
            let created = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
            let id = created.id!
            let cases: [(String, [[String: Any]])] = [
                ("/details/notes", [["op": "remove", "path": "/details/notes"]]),
                ("/details/notes", [["op": "move", "from": "/name", "path": "/details/notes"]]),
                ("/details/notes", [["op": "copy", "from": "/name", "path": "/details/notes"]]),
                ("/details/notes", [["op": "test", "path": "/details/notes", "value": "x"]]),
                ("/id", [["op": "replace", "path": "/id", "value": "x"]]),
                ("/eTag", [["op": "replace", "path": "/eTag", "value": "x"]]),
                ("/engagementId", [["op": "replace", "path": "/engagementId", "value": "x"]]),
                ("/createdDateTime", [["op": "replace", "path": "/createdDateTime", "value": "2020-01-01T00:00:00Z"]]),
                ("/organizationId", [["op": "add", "path": "/organizationId", "value": "x"]]),
                ("/details/nothing/here", [["op": "replace", "path": "/details/nothing/here", "value": 1]]),
                ("/details/statusNote", [["op": "replace", "path": "/details/statusNote", "value": 1]]),
                ("/team/7", [["op": "replace", "path": "/team/7", "value": ["firstName": "X"]]]),
                ("details/notes", [["op": "replace", "path": "details/notes", "value": "no slash"]]),
                ("details.dealValue", [["op": "replace", "path": "/details/dealValue", "value": ["no": 1]]]),
                ("details.dealValue", [["op": "replace", "path": "/details/dealValue", "value": "ten thousand"]]),
                ("substatus", [["op": "replace", "path": "/substatus", "value": "Won"]]),  // Won does not go with Active
                ("status", [["op": "replace", "path": "/status", "value": "Open"]]),
                // One bad operation spoils the whole patch: the good one before it is not applied.
                ("/id", [["op": "replace", "path": "/details/notes", "value": "partial"], ["op": "replace", "path": "/id", "value": "x"]]),
            ]
            for (target, operations) in cases {
                let answer = try await sandbox.patch(id, operations)
                #expect(answer.status == 400, "\(operations)")
                #expect(answer.errorCode == "invalidRequest", "\(operations)")
                #expect(answer.errorTarget == target || answer.errorMessage.contains(target), "\(operations): \(answer.errorTarget ?? "-") \(answer.errorMessage)")
            }
            for body in ["{}", "[1]", "[{\"path\": \"/name\"}]", "not json"] {
                let answer = try await sandbox.request("PATCH", SandboxHarness.collection + "/" + id, body: Data(body.utf8))
                #expect(answer.status == 400 && answer.errorTarget == "body", "\(body)")
            }
            #expect(try await sandbox.patch("unknown", []).status == 404)
            let after = try #require(try await sandbox.get(id).referral)
            #expect(after.eTag == created.eTag && after.details?.notes == created.details?.notes)
        }
    }

    @Test func statusTransitionsFollowTheContract() async throws {
        try await SandboxHarness.with({ $0.acceptOutgoing = false }) { sandbox in
            func move(_ id: String, _ status: String, _ substatus: String) async throws -> Int {
                try await sandbox.patch(id, [
                    ["op": "replace", "path": "/status", "value": status], ["op": "replace", "path": "/substatus", "value": substatus],
                ]).status
            }
            let id = try #require(try await sandbox.create(SandboxHarness.valid()).referral?.id)
            #expect(try await move(id, "New", "Received") == 204)  // New → New
            #expect(try await move(id, "Active", "Won") == 400)  // wrong substatus for Active
            #expect(try await move(id, "Active", "Accepted") == 204)  // New → Active
            let accepted = try #require(try await sandbox.get(id).referral)
            #expect(accepted.acceptedDateTime == accepted.updatedDateTime)
            #expect(try await move(id, "New", "Pending") == 400)  // Active → New is not allowed
            #expect(try await move(id, "Closed", "Won") == 204)  // Active → Closed
            #expect(try await move(id, "Closed", "Lost") == 204)  // Closed → Closed: the table's own row
            #expect(try await move(id, "Closed", "Won") == 204)
            #expect(try await move(id, "Active", "Accepted") == 400)  // Closed never leaves Closed
            let notes = try await sandbox.patch(id, [["op": "replace", "path": "/details/notes", "value": "x"]])
            #expect(notes.status == 204)  // nothing documented forbids changing a Closed referral's content
            let closed = try #require(try await sandbox.get(id).referral)
            #expect(closed.closedDateTime != nil && closed.substatus == .won && closed.details?.notes == "x")
            // PUT follows the same rules.
            var body = closed
            body.links = nil
            body.status = .active
            body.substatus = .accepted
            body.details?.notes = "reopened"
            let put = try await sandbox.request("PUT", SandboxHarness.collection + "/" + id, body: Data(ReferralJSON.encode(body)), headers: ["If-Match": closed.eTag!])
            #expect(put.status == 400 && put.errorTarget == "status")

            let second = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
            #expect(try await move(second.id!, "Closed", "Declined") == 204)  // New → Closed (declined)
        }
    }
}
