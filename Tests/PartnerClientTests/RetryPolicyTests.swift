import Testing
@testable import PartnerClient

struct RetryPolicyTests {
    let policy = RetryPolicy(baseDelay: .milliseconds(500), maxDelay: .seconds(30), jitter: .none)

    @Test(arguments: [(1, 500), (2, 1000), (3, 2000), (4, 4000), (5, 8000), (6, 16000), (7, 30000), (40, 30000), (0, 500)])
    func exponentialWithoutJitterDoublesUpToTheCap(attempt: Int, milliseconds: Int64) {
        #expect(policy.delay(forAttempt: attempt, retryAfter: nil, jitter: 0.3) == .milliseconds(milliseconds))
    }

    @Test func fullJitterSpansZeroToTheExponential() {
        var full = policy
        full.jitter = .full
        #expect(full.delay(forAttempt: 3, retryAfter: nil, jitter: 0) == .zero)
        #expect(full.delay(forAttempt: 3, retryAfter: nil, jitter: 0.5) == .seconds(1))
        #expect(full.delay(forAttempt: 3, retryAfter: nil, jitter: 1) == .seconds(2))
        #expect(full.delay(forAttempt: 9, retryAfter: nil, jitter: 1) == .seconds(30))
    }

    @Test func equalJitterKeepsAtLeastHalf() {
        var equal = policy
        equal.jitter = .equal
        #expect(equal.delay(forAttempt: 2, retryAfter: nil, jitter: 0) == .milliseconds(500))
        #expect(equal.delay(forAttempt: 2, retryAfter: nil, jitter: 1) == .seconds(1))
    }

    @Test func decorrelatedJitterGrowsByThrees() {
        var decorrelated = policy
        decorrelated.jitter = .decorrelated
        #expect(decorrelated.delay(forAttempt: 1, retryAfter: nil, jitter: 1) == .milliseconds(500))
        #expect(decorrelated.delay(forAttempt: 3, retryAfter: nil, jitter: 0) == .milliseconds(500))
        #expect(decorrelated.delay(forAttempt: 3, retryAfter: nil, jitter: 1) == .milliseconds(4500))
        #expect(decorrelated.delay(forAttempt: 5, retryAfter: nil, jitter: 1) == .seconds(30))
    }

    @Test func retryAfterIsAFloorNotACeiling() {
        #expect(policy.delay(forAttempt: 1, retryAfter: .seconds(7), jitter: 0) == .seconds(7))
        #expect(policy.delay(forAttempt: 6, retryAfter: .seconds(7), jitter: 0) == .seconds(16))
        // Beyond the cap too: the server knows best.
        #expect(policy.delay(forAttempt: 1, retryAfter: .seconds(90), jitter: 0) == .seconds(90))
    }

    @Test func jitterOutsideTheUnitRangeIsClamped() {
        var full = policy
        full.jitter = .full
        #expect(full.delay(forAttempt: 2, retryAfter: nil, jitter: -3) == .zero)
        #expect(full.delay(forAttempt: 2, retryAfter: nil, jitter: 9) == .seconds(1))
        #expect(full.delay(forAttempt: 2, retryAfter: nil, jitter: .nan) == .seconds(1))
    }
}
