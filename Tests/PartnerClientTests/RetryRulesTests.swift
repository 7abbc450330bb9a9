import Testing
@testable import PartnerClient
import Referrals

struct RetryRulesTests {
    let rules = RetryRules(maxAttempts: 3, policy: RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(10), jitter: .none, maxRetryAfter: .seconds(60)))

    func decide(_ result: AttemptResult, attempt: Int = 1, _ safety: RetryRules.Safety, refreshed: Bool = false) -> RetryDecision {
        rules.decide(result, attempt: attempt, safety: safety, tokenRefreshed: refreshed, jitter: 0)
    }

    @Test(arguments: [200, 201, 204, 400, 404, 409, 412, 422])
    func answersThatSettleTheCallFinish(status: Int) {
        #expect(decide(.answered(status: status, retryAfter: nil), .unsafe) == .finish)
        #expect(decide(.answered(status: status, retryAfter: nil), .safe) == .finish)
    }

    @Test func aCreateIsRepeatedOnlyWhenTheServerCertainlyDidNothing() {
        #expect(decide(.answered(status: 429, retryAfter: .seconds(3)), .unsafe) == .retry(after: .seconds(3)))
        #expect(decide(.answered(status: 503, retryAfter: nil), attempt: 2, .unsafe) == .retry(after: .seconds(2)))
        #expect(decide(.notSent, .unsafe) == .retry(after: .seconds(1)))
        for status in [408, 500, 502, 504, 507] {
            #expect(decide(.answered(status: status, retryAfter: nil), .unsafe) == .finish)
        }
        #expect(decide(.lost, .unsafe) == .finish)
    }

    @Test func aSafeRequestIsRepeatedOnServerErrorsAndLostConnections() {
        #expect(decide(.answered(status: 500, retryAfter: nil), .safe) == .retry(after: .seconds(1)))
        #expect(decide(.answered(status: 504, retryAfter: nil), attempt: 2, .safe) == .retry(after: .seconds(2)))
        #expect(decide(.lost, .safe) == .retry(after: .seconds(1)))
    }

    @Test func attemptsAreBounded() {
        #expect(decide(.answered(status: 429, retryAfter: nil), attempt: 3, .unsafe) == .finish)
        #expect(decide(.notSent, attempt: 3, .unsafe) == .finish)
        #expect(decide(.lost, attempt: 3, .safe) == .finish)
    }

    @Test func theTokenIsRefreshedOncePerCall() {
        #expect(decide(.answered(status: 401, retryAfter: nil), .unsafe) == .refreshTokenAndRetry)
        // Even on the last attempt: the refresh is not a retry of the failure.
        #expect(decide(.answered(status: 401, retryAfter: nil), attempt: 3, .safe) == .refreshTokenAndRetry)
        #expect(decide(.answered(status: 401, retryAfter: nil), .unsafe, refreshed: true) == .finish)
    }

    @Test func aRetryAfterBeyondTheLimitIsLeftToTheCaller() {
        #expect(decide(.answered(status: 429, retryAfter: .seconds(61)), .safe) == .finish)
        #expect(decide(.answered(status: 429, retryAfter: .seconds(60)), .safe) == .retry(after: .seconds(60)))
    }

    @Test func patchSafetyNeedsIfMatchOrOnlyReplaces() {
        let replace = JSONPatchOperation.replace("/details/notes", .string("x"))
        let add = JSONPatchOperation.add("/team/-", .object([:]))
        #expect(PartnerClient.patchSafety(operations: [replace], ifMatch: nil) == .safe)
        #expect(PartnerClient.patchSafety(operations: [replace, add], ifMatch: nil) == .unsafe)
        #expect(PartnerClient.patchSafety(operations: [replace, add], ifMatch: "\"e1\"") == .safe)
    }
}
