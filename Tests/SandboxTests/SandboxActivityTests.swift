import Foundation
import Referrals
import Sandbox
import Testing

/// The sandbox playing Microsoft (issue #13): moves by the status table, each with a new eTag and a
/// later `updatedDateTime`; incoming referrals; seeded random activity; the admin routes.
@Suite struct SandboxActivityTests {
    @Test func aMoveFollowsTheTableWithANewETagAndTime() async throws {
        try await SandboxHarness.with { h in
            let created = try #require(try await h.create(SandboxHarness.valid()).referral)
            let id = try #require(created.id)
            let won = try await h.request("POST", "/_sandbox/referrals/\(id)/win", auth: false)
            #expect(won.status == 200)
            let referral = try #require(won.referral)
            #expect(referral.status == .closed && referral.substatus == .won)
            #expect(referral.eTag != created.eTag)
            #expect(try #require(referral.updatedDateTime).date > (try #require(created.updatedDateTime)).date)
            #expect(referral.closedDateTime != nil)
            // What the API then answers is the moved referral.
            #expect(try await h.get(id).referral?.substatus == .won)
            // Closed/Won cannot be accepted or lost; an unknown move or id is named.
            let refused = try await h.request("POST", "/_sandbox/referrals/\(id)/accept", auth: false)
            #expect(refused.status == 400)
            #expect(refused.errorMessage.contains("Closed/Won"))
            #expect(try await h.request("POST", "/_sandbox/referrals/\(id)/promote", auth: false).status == 400)
            #expect(try await h.request("POST", "/_sandbox/referrals/nope/win", auth: false).status == 404)
        }
    }

    @Test func everySellerMoveIsAllowedByTheStatusTable() {
        let states: [(ReferralStatus, ReferralSubstatus)] = [
            (.new, .pending), (.new, .received), (.active, .accepted), (.closed, .won), (.closed, .lost), (.closed, .declined), (.closed, .expired),
        ]
        for (status, substatus) in states {
            let referral = Referral(status: status, substatus: substatus)
            for action in SellerAction.allCases where action.applies(to: referral) {
                #expect(StatusRules.canMove(from: (status, substatus), to: action.target))
            }
        }
        #expect(SellerAction.win.applies(to: Referral(status: .closed, substatus: .lost)))
        #expect(!SellerAction.accept.applies(to: Referral(status: .active, substatus: .accepted)))
    }

    @Test func incomingReferralsAreNewPendingFromMicrosoftAndListed() async throws {
        try await SandboxHarness.with { h in
            let answer = try await h.request("POST", "/_sandbox/incoming?count=3", auth: false)
            #expect(answer.status == 200)
            #expect(answer.value.count == 3)
            let listed = try await h.list("$filter=direction eq 'Incoming'")
            #expect(listed.value.count == 3)
            for item in listed.value {
                #expect(item["status"] as? String == "New")
                #expect(item["substatus"] as? String == "Pending")
                let invitedBy = (item["inviteContext"] as? [String: Any])?["invitedBy"] as? [String: Any]
                #expect(invitedBy?["organizationId"] as? String == "msft")
            }
            let id = try #require(listed.value.first?["id"] as? String)
            let accepted = try await h.request("POST", "/_sandbox/referrals/\(id)/accept", auth: false)
            #expect(accepted.referral?.status == .active)
            #expect(accepted.referral?.acceptedDateTime != nil)
            #expect(try await h.request("POST", "/_sandbox/incoming?count=0", auth: false).status == 400)
        }
    }

    /// The same seed moves the same referrals: a soak run repeats.
    @Test func randomActivityRepeatsWithTheSeed() async throws {
        var runs: [[String]] = []
        for _ in 0..<2 {
            try await SandboxHarness.with({ $0.seed = 9 }) { h in
                let recorded = (0..<40).map { index in
                    #"{"id":"id-\#(index)","status":"Active","substatus":"Accepted","updatedDateTime":"2026-12-01T00:00:\#(10 + index).0000000Z","eTag":"\"e\""}"#
                }
                try await h.server.seed(recorded: Data(("[" + recorded.joined(separator: ",") + "]").utf8))
                let answer = try await h.request("POST", "/_sandbox/activity", body: Data(#"{"moves": 10, "win": 2}"#.utf8), auth: false)
                #expect(answer.status == 200)
                let report = try JSONDecoder().decode(ActivityReport.self, from: answer.data)
                #expect(report.moved.count == 12)
                #expect(Set(report.moved.map(\.id)).count == 12)
                runs.append(report.moved.map { "\($0.id) \($0.action.rawValue)" })
            }
        }
        #expect(runs[0] == runs[1])
    }

    /// `activity` every `activityInterval` (the command's --activity-every): incoming referrals keep
    /// arriving while the server runs, and stop with it.
    @Test func periodicActivityRunsWhileServing() async throws {
        try await SandboxHarness.with({
            $0.activity = ActivityPlan(incoming: 1)
            $0.activityInterval = 0.05
        }) { h in
            for _ in 0..<200 where await h.server.allReferrals().count < 2 {
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(await h.server.allReferrals().count >= 2)
            #expect(await h.server.allReferrals().allSatisfy { $0.direction == .incoming })
        }
    }

    @Test func moreActivityThanReferralsStopsAtWhatCanMove() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.create(SandboxHarness.valid())
            let report = await h.server.simulate(ActivityPlan(moves: 5, win: 5))
            #expect(report.moved.count == 1)
            #expect(ActivityPlan.parse("moves=2,incoming=1") == ActivityPlan(moves: 2, incoming: 1))
            #expect(ActivityPlan.parse("teleport=1") == nil)
        }
    }
}
