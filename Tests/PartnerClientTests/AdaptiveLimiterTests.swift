import Foundation
import Testing
@testable import PartnerClient

/// The waiting side of the limiter; its rules are in LoadControlTests.
struct AdaptiveLimiterTests {
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

    @Test func a429WhenNothingWasAcceptedPausesEverySender() async throws {
        // A manual clock: a wait moves it to the instant waited for, and is recorded.
        let clock = SteppingClock()
        let limiter = AdaptiveLimiter(maximum: 4, settings: LoadControl.Settings(), now: { clock.now }, sleep: { clock.wait(until: $0) })
        let start = clock.now
        let permit = try await limiter.acquire()
        await limiter.release(permit, outcome: .throttled(retryAfter: .milliseconds(150)))
        #expect(await limiter.pausedUntil == start + .milliseconds(150))
        let next = try await limiter.acquire()
        #expect(clock.waits == [start + .milliseconds(150)])
        await limiter.release(next, outcome: .success)
    }

    final class SteppingClock: @unchecked Sendable {
        private let lock = NSLock()
        private var current = ContinuousClock.now
        private var recorded: [ContinuousClock.Instant] = []
        var now: ContinuousClock.Instant { lock.withLock { current } }
        var waits: [ContinuousClock.Instant] { lock.withLock { recorded } }
        func wait(until instant: ContinuousClock.Instant) {
            lock.withLock {
                recorded.append(instant)
                current = max(current, instant)
            }
        }
    }

    @Test func a503PausesNobodyAndKeepsTheLimit() async throws {
        let limiter = AdaptiveLimiter(maximum: 4)
        let permit = try await limiter.acquire()
        await limiter.release(permit, outcome: .neutral)
        #expect(await limiter.pausedUntil == nil)
        #expect(await limiter.limit == 4)
        #expect(await limiter.pacedRate == nil)
    }

    @Test func aCancelledWaiterDuringAPauseThrows() async throws {
        let limiter = AdaptiveLimiter(maximum: 1)
        let permit = try await limiter.acquire()
        await limiter.release(permit, outcome: .throttled(retryAfter: .seconds(30)))
        let waiter = Task { try await limiter.acquire() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }

    @Test func aSenderCancelledWhilePacedGivesItsSlotBack() async throws {
        var settings = LoadControl.Settings()
        settings.minimumRate = 0.001
        settings.shortestMeasure = .seconds(100)
        // A clock that stands still: the pace holds however slow the machine is (on the wall clock
        // a loaded run outlived the pace and the paced sender went through). A wait for a later
        // instant lasts until cancelled.
        let frozen = ContinuousClock.now
        let limiter = AdaptiveLimiter(
            maximum: 4, increaseAfter: nil, settings: settings, now: { frozen },
            sleep: { instant in
                guard instant > frozen else { return }
                while true { try await Task.sleep(for: .seconds(3600)) }
            })
        // One accepted answer, then three 429s: paced to one request in 100 s, so a sender waits.
        let accepted = try await limiter.acquire()
        await limiter.release(accepted, outcome: .success)
        for _ in 0..<3 {
            let throttled = try await limiter.acquire()
            await limiter.release(throttled, outcome: .throttled(retryAfter: .seconds(1)))
        }
        #expect(await limiter.pacedRate != nil)
        let first = try await limiter.acquire()
        let paced = Task { try await limiter.acquire() }
        try await Task.sleep(for: .milliseconds(20))
        paced.cancel()
        await #expect(throws: CancellationError.self) { try await paced.value }
        #expect(await limiter.inFlight == 1)
        await limiter.release(first, outcome: .success)
        #expect(await limiter.inFlight == 0)
    }
}
