/// Bounds the requests in flight and adapts the bound to the server (AIMD, as TCP does):
///
/// - the limit starts at `maximum`;
/// - a 429 or 503 halves it (not below 1), once per burst: throttles reported by requests that
///   were already in flight when the limit was cut do not cut it again;
/// - `increaseAfter` successes in a row (by default, as many as the current limit: about one
///   round of requests) grow it by one, up to `maximum`;
/// - a `Retry-After` pauses every sender until it has passed, not only the one that received it,
///   so the client backs off as a whole instead of hammering.
///
/// ```swift
/// let permit = try await limiter.acquire()
/// let answer = try await send()
/// await limiter.release(permit, outcome: answer.status == 429 ? .throttled(retryAfter: ra) : .success)
/// ```
public actor AdaptiveLimiter {
    public enum Outcome: Sendable, Equatable {
        /// An answer that says nothing about overload (2xx, 4xx).
        case success
        /// 429 or 503.
        case throttled(retryAfter: Duration?)
        /// A failure that says nothing about load either way (network error, 500): no change.
        case neutral
    }

    /// Proof of a slot; give it back with `release(_:outcome:)`.
    public struct Permit: Sendable {
        /// How many times the limit had been cut when the permit was given.
        let generation: Int
    }

    public let maximum: Int
    public private(set) var limit: Int
    public private(set) var inFlight = 0
    /// Every sender waits until then (a `Retry-After`).
    public private(set) var pausedUntil: ContinuousClock.Instant?
    private let increaseAfter: Int?
    private var successes = 0
    private var generation = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameters:
    ///   - maximum: the starting and highest limit (at least 1).
    ///   - increaseAfter: successes needed to grow the limit by one; nil: the current limit.
    public init(maximum: Int, increaseAfter: Int? = nil) {
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.increaseAfter = increaseAfter.map { max(1, $0) }
    }

    /// Waits for a pause to pass and a slot to free. Throws `CancellationError` if the task is
    /// cancelled while paused.
    public func acquire() async throws -> Permit {
        while true {
            try Task.checkCancellation()
            if let until = pausedUntil {
                if until > .now {
                    try await Task.sleep(until: until, clock: .continuous)
                    continue
                }
                pausedUntil = nil
            }
            if inFlight < limit {
                inFlight += 1
                return Permit(generation: generation)
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Gives the slot back and adapts the limit to `outcome`.
    public func release(_ permit: Permit, outcome: Outcome) {
        inFlight = max(0, inFlight - 1)
        switch outcome {
        case .success:
            successes += 1
            if successes >= (increaseAfter ?? limit), limit < maximum {
                limit += 1
                successes = 0
            }
        case .throttled(let retryAfter):
            successes = 0
            if permit.generation == generation {
                limit = max(1, limit / 2)
                generation += 1
            }
            if let retryAfter, retryAfter > .zero {
                let until = ContinuousClock.now + retryAfter
                if pausedUntil.map({ until > $0 }) ?? true { pausedUntil = until }
            }
        case .neutral:
            break
        }
        // Wake every waiter: each checks the (possibly lower) limit and the pause again.
        let woken = waiters
        waiters.removeAll()
        for waiter in woken { waiter.resume() }
    }
}
