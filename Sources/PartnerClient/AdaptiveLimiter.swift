import Foundation

/// Bounds the requests in flight and adapts the bound to the server (AIMD): halved on a 429 or
/// 503, grown by one after a full window of successes, never above the configured maximum. A
/// `Retry-After` pauses every sender, not only the one that got it, so the client backs off as a
/// whole instead of hammering.
public actor AdaptiveLimiter {
    public private(set) var limit: Int
    public let maximum: Int
    private var inFlight = 0
    private var successes = 0
    private var pausedUntil = ContinuousClock.now
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public enum Outcome: Sendable {
        case success
        case throttled(retryAfter: Duration?)
        /// Neither: a failure that says nothing about load.
        case neutral
    }

    public init(maximum: Int) {
        self.maximum = max(1, maximum)
        limit = self.maximum
    }

    public func acquire() async {
        while true {
            let now = ContinuousClock.now
            if pausedUntil > now {
                let wait = pausedUntil - now
                try? await Task.sleep(for: wait)
                continue
            }
            if inFlight < limit {
                inFlight += 1
                return
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    public func release(_ outcome: Outcome) {
        inFlight -= 1
        switch outcome {
        case .success:
            successes += 1
            if successes >= limit, limit < maximum {
                limit += 1
                successes = 0
            }
        case .throttled(let retryAfter):
            limit = max(1, limit / 2)
            successes = 0
            if let retryAfter {
                let until = ContinuousClock.now + retryAfter
                if until > pausedUntil { pausedUntil = until }
            }
        case .neutral:
            break
        }
        // Wake everyone: each re-checks the (possibly lower) limit.
        let woken = waiters
        waiters = []
        for waiter in woken { waiter.resume() }
    }

    public var current: (limit: Int, inFlight: Int) { (limit, inFlight) }
}
