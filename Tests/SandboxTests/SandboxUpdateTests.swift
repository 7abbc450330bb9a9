import Foundation
import Referrals
import Testing

@testable import Sandbox

@Suite struct SandboxUpdateTests {
    func patchBody(_ operations: [[String: Any]]) throws -> Data { try JSONSerialization.data(withJSONObject: operations) }

    @Test func putNeedsAFreshIfMatch() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        var referral = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
        let path = "/v1.0/engagements/referrals/\(referral.id!)"
        referral.links = nil
        referral.details?.notes = "changed"
        let body = Data(ReferralJSON.encode(referral))
        #expect(try await sandbox.request("PUT", path, body: body).status == 428)
        let stale = try await sandbox.request("PUT", path, body: body, headers: ["If-Match": "\"00000000-0000-0000-0000-000000000000\""])
        #expect(stale.status == 412 && stale.errorCode == "preconditionFailed")
        let ok = try await sandbox.request("PUT", path, body: body, headers: ["If-Match": referral.eTag!])
        #expect(ok.status == 200)
        #expect(ok.referral?.details?.notes == "changed")
        #expect(ok.referral?.eTag != referral.eTag)
        // The old eTag is now stale.
        #expect(try await sandbox.request("PUT", path, body: body, headers: ["If-Match": referral.eTag!]).status == 412)
    }

    @Test func patchReplacesAndAdds() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let created = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
        let path = "/v1.0/engagements/referrals/\(created.id!)"
        let plain = try await sandbox.request("PATCH", path, body: try patchBody([
            ["op": "replace", "path": "/details/dealValue", "value": "10000"],
            ["op": "add", "path": "/team/-", "value": ["firstName": "Kim", "email": "kim@partner.example"]],
            ["op": "add", "path": "/customerProfile/address/city", "value": "York"],
        ]))
        #expect(plain.status == 204)
        #expect(plain.data.isEmpty)
        let read = try #require(try await sandbox.request("GET", path).referral)
        #expect(read.details?.dealValue == 10000)
        #expect(read.team?.last?.email == "kim@partner.example")
        #expect(read.customerProfile?.address?.city == "York")
        #expect(read.eTag != created.eTag)
        let represented = try await sandbox.request("PATCH", path, body: try patchBody([["op": "replace", "path": "/details/notes", "value": "n"]]), headers: ["Prefer": "return=representation", "If-Match": read.eTag!])
        #expect(represented.status == 200 && represented.referral?.details?.notes == "n")
        let stale = try await sandbox.request("PATCH", path, body: try patchBody([["op": "replace", "path": "/details/notes", "value": "m"]]), headers: ["If-Match": read.eTag!])
        #expect(stale.status == 412)
    }

    @Test func patchRefusesWhatTheAPIDoesNot() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let created = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
        let path = "/v1.0/engagements/referrals/\(created.id!)"
        for operations: [[String: Any]] in [
            [["op": "remove", "path": "/details/notes"]],
            [["op": "replace", "path": "/id", "value": "x"]],
            [["op": "replace", "path": "/eTag", "value": "x"]],
            [["op": "replace", "path": "/details/nothing/here", "value": 1]],
            [["op": "replace", "path": "/details/dealValue", "value": ["no": 1]]],
        ] {
            let answer = try await sandbox.request("PATCH", path, body: try patchBody(operations))
            #expect(answer.status == 400, "\(operations)")
        }
        #expect(try await sandbox.request("PATCH", path, body: Data("{}".utf8)).status == 400)
        #expect(try await sandbox.request("PATCH", "/v1.0/engagements/referrals/unknown", body: try patchBody([])).status == 404)
        #expect(try await sandbox.request("GET", path).referral?.eTag == created.eTag)
    }

    @Test func statusTransitionsFollowTheContract() async throws {
        let sandbox = try await SandboxHarness.start { $0.acceptOutgoing = false }
        defer { Task { await sandbox.server.shutdown() } }
        func move(_ id: String, _ status: String, _ substatus: String) async throws -> Int {
            try await sandbox.request("PATCH", "/v1.0/engagements/referrals/\(id)", body: try patchBody([
                ["op": "replace", "path": "/status", "value": status], ["op": "replace", "path": "/substatus", "value": substatus],
            ])).status
        }
        let id = try #require(try await sandbox.create(SandboxHarness.valid()).referral?.id)
        #expect(try await move(id, "New", "Received") == 204)  // New → New
        #expect(try await move(id, "Active", "Won") == 400)  // wrong substatus for Active
        #expect(try await move(id, "Active", "Accepted") == 204)  // New → Active
        #expect(try await move(id, "New", "Pending") == 400)  // Active → New is not allowed
        #expect(try await move(id, "Closed", "Won") == 204)  // Active → Closed
        #expect(try await move(id, "Closed", "Lost") == 400)  // Closed is terminal
        let notes = try await sandbox.request("PATCH", "/v1.0/engagements/referrals/\(id)", body: try patchBody([["op": "replace", "path": "/details/notes", "value": "x"]]))
        #expect(notes.status == 400 && notes.errorMessage.contains("Closed"))
        let closed = try #require(try await sandbox.request("GET", "/v1.0/engagements/referrals/\(id)").referral)
        #expect(closed.closedDateTime != nil && closed.substatus == .won)
    }
}
