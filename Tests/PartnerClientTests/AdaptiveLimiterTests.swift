import Testing
@testable import PartnerClient

struct AdaptiveLimiterTests {
    @Test func startsAtTheMaximumAndHalvesOnThrottlingDownToOne() async throws {
        let limiter = AdaptiveLimiter(maximum: 8)
        #expect(await limiter.limit == 8)
        for expected in [4, 2, 1, 1] {
            let permit = try await limiter.acquire()
            await limiter.release(permit, outcome: .throttled(retryAfter: nil))
            #expect(await limiter.limit == expected)
        }
    }

    @Test func aBurstOfThrottlesFromOneRoundCutsOnce() async throws {
        let limiter = AdaptiveLimiter(maximum: 8)
        var permits: [AdaptiveLimiter.Permit] = []
        for _ in 0..<8 { permits.append(try await limiter.acquire()) }
        #expect(await limiter.inFlight == 8)
        for permit in permits { await limiter.release(permit, outcome: .throttled(retryAfter: nil)) }
        #expect(await limiter.limit == 4)
        #expect(await limiter.inFlight == 0)
        // A request sent after the cut that is throttled again cuts again.
        let later = try await limiter.acquire()
        await limiter.release(later, outcome: .throttled(retryAfter: nil))
        #expect(await limiter.limit == 2)
    }

    @Test func growsByOneAfterTheConfiguredSuccessesUpToTheMaximum() async throws {
        let limiter = AdaptiveLimiter(maximum: 4, increaseAfter: 3)
        let cut = try await limiter.acquire()
        await limiter.release(cut, outcome: .throttled(retryAfter: nil))
        #expect(await limiter.limit == 2)
        for round in 1...9 {
            let permit = try await limiter.acquire()
            await limiter.release(permit, outcome: .success)
            #expect(await limiter.limit == min(4, 2 + round / 3))
        }
    }

    @Test func neutralOutcomesChangeNothing() async throws {
        let limiter = AdaptiveLimiter(maximum: 3, increaseAfter: 1)
        let cut = try await limiter.acquire()
        await limiter.release(cut, outcome: .throttled(retryAfter: nil))
        let permit = try await limiter.acquire()
        await limiter.release(permit, outcome: .neutral)
        #expect(await limiter.limit == 1)
    }

    @Test func aSenderBeyondTheLimitWaitsForARelease() async throws {
        let limiter = AdaptiveLimiter(maximum: 1)
        let first = try await limiter.acquire()
        let second = Task { try await limiter.acquire() }
        // The waiter cannot have a slot while the first holds it.
        try await Task.sleep(for: .milliseconds(20))
        #expect(await limiter.inFlight == 1)
        await limiter.release(first, outcome: .success)
        let permit = try await second.value
        #expect(await limiter.inFlight == 1)
        await limiter.release(permit, outcome: .success)
        #expect(await limiter.inFlight == 0)
    }

    @Test func retryAfterPausesEverySender() async throws {
        let limiter = AdaptiveLimiter(maximum: 4)
        let permit = try await limiter.acquire()
        await limiter.release(permit, outcome: .throttled(retryAfter: .milliseconds(150)))
        #expect(await limiter.pausedUntil != nil)
        let started = ContinuousClock.now
        let next = try await limiter.acquire()
        // A lower bound only: never flaky on a slow machine.
        #expect(ContinuousClock.now - started >= .milliseconds(140))
        await limiter.release(next, outcome: .success)
    }

    @Test func aCancelledWaiterDuringAPauseThrows() async throws {
        let limiter = AdaptiveLimiter(maximum: 1)
        let permit = try await limiter.acquire()
        await limiter.release(permit, outcome: .throttled(retryAfter: .seconds(30)))
        let waiter = Task { try await limiter.acquire() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}
