import NIOHTTP1
import Referrals
import Testing
@testable import PartnerClient

/// How the end of a create call becomes an outcome; the exactly-once rules live here.
struct CreateOutcomeTests {
    func outcome(_ status: Int, _ body: String = "") -> CreateOutcome {
        PartnerClient.createOutcome(.success(.init(status: status, headers: [:], body: Array(body.utf8), retryAfter: nil)))
    }

    func name(_ outcome: CreateOutcome) -> String {
        switch outcome {
        case .created: "created"
        case .rejected: "rejected"
        case .uncertain: "uncertain"
        case .failed: "failed"
        }
    }

    @Test func anyTwoHundredWithAReferralIsCreated() {
        for status in [200, 201, 202] {
            guard case .created(let referral) = outcome(status, #"{"id":"r-1","engagementId":"e-1","name":"Deal"}"#) else {
                Issue.record("HTTP \(status) not created")
                continue
            }
            #expect(referral.id == "r-1")
            #expect(referral.engagementId == "e-1")
        }
    }

    @Test func aTwoHundredThatCannotBeReadIsUncertainNotFailed() {
        #expect(name(outcome(201, "")) == "uncertain")
        #expect(name(outcome(201, #"{"name":"no id"}"#)) == "uncertain")
    }

    @Test(arguments: [(400, "rejected"), (404, "rejected"), (413, "rejected"), (422, "rejected"),
                      (401, "failed"), (403, "failed"), (429, "failed"), (503, "failed"), (307, "failed"),
                      (408, "uncertain"), (409, "uncertain"), (500, "uncertain"), (502, "uncertain"), (504, "uncertain")])
    func statusMeansOutcome(status: Int, expected: String) {
        #expect(name(outcome(status, #"{"error":{"code":"x","message":"m"}}"#)) == expected)
    }

    @Test func theRejectionCarriesTheAPIsMessage() {
        guard case .rejected(let error) = outcome(400, #"{"error":{"code":"invalidRequest","message":"customerProfile is required","target":"customerProfile"}}"#) else {
            Issue.record("not rejected")
            return
        }
        #expect(error.message == "customerProfile is required")
        #expect(error.target == "customerProfile")
    }

    @Test func transportFailuresSplitOnWhetherTheRequestLeft() {
        let refused = PartnerAPIError(kind: .network, code: "connectFailed", message: "refused")
        let dropped = PartnerAPIError(kind: .network, code: "connectionClosed", message: "closed")
        let slow = PartnerAPIError(kind: .timeout, message: "slow")
        let noToken = PartnerAPIError(kind: .auth, message: "no token")
        #expect(name(PartnerClient.createOutcome(.failure(refused))) == "failed")
        #expect(name(PartnerClient.createOutcome(.failure(noToken))) == "failed")
        #expect(name(PartnerClient.createOutcome(.failure(dropped))) == "uncertain")
        #expect(name(PartnerClient.createOutcome(.failure(slow))) == "uncertain")
    }
}
