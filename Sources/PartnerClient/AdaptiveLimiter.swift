/// Bounds the requests in flight and paces them to what the API accepts. The rules are
/// ``LoadControl``'s (pure, tested with made-up instants); this actor only keeps the state and
/// makes senders wait.
///
/// ```swift
/// let permit = try await limiter.acquire()
/// let answer = try await send()
/// await limiter.release(permit, outcome: answer.status == 429 ? .throttled(retryAfter: ra) : .success)
/// ```
public actor AdaptiveLimiter {
    public enum Outcome: Sendable, Equatable {
        /// An answer that says nothing about overload (2xx, 4xx): the API accepted the request.
        case success
        /// 429: the client as a whole sends too fast.
        case throttled(retryAfter: Duration?)
        /// 5xx (503 included), a dropped or refused connection: only that request backs off.
        case neutral
    }

    /// Proof of a slot; give it back with `release(_:outcome:)`.
    public struct Permit: Sendable, Equatable {
        /// How many times the limit had been cut when the permit was given.
        let generation: Int
    }

    private var control: LoadControl
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// The clock the pause and the pace are kept on, and how a sender waits for an instant of it.
    /// Tests pass a manual one: what they assert then holds however slow the machine is.
    private let now: @Sendable () -> ContinuousClock.Instant
    private let sleep: @Sendable (ContinuousClock.Instant) async throws -> Void

    static let continuousNow: @Sendable () -> ContinuousClock.Instant = { .now }
    static let continuousSleep: @Sendable (ContinuousClock.Instant) async throws -> Void = { try await Task.sleep(until: $0, clock: .continuous) }

    public var maximum: Int { control.maximum }
    public var limit: Int { control.limit }
    public var inFlight: Int { control.inFlight }
    /// Every sender waits until then (a `Retry-After` while the API accepted nothing).
    public var pausedUntil: ContinuousClock.Instant? { control.pausedUntil }
    /// Requests per second senders are paced to now; nil when they are not.
    public var pacedRate: Double? { control.pacedRate(at: now()) }

    /// - Parameters:
    ///   - maximum: the starting and highest limit (at least 1).
    ///   - increaseAfter: successes needed to grow the limit by one; nil: the current limit.
    public init(maximum: Int, increaseAfter: Int? = nil) {
        control = LoadControl(maximum: maximum, increaseAfter: increaseAfter)
        now = Self.continuousNow
        sleep = Self.continuousSleep
    }

    init(
        maximum: Int, increaseAfter: Int? = nil, settings: LoadControl.Settings,
        now: @escaping @Sendable () -> ContinuousClock.Instant = AdaptiveLimiter.continuousNow,
        sleep: @escaping @Sendable (ContinuousClock.Instant) async throws -> Void = AdaptiveLimiter.continuousSleep
    ) {
        control = LoadControl(maximum: maximum, increaseAfter: increaseAfter, settings: settings)
        self.now = now
        self.sleep = sleep
    }

    /// Waits for a pause to pass, a slot to free and the pace to allow. Throws
    /// `CancellationError` if the task is cancelled while paused or paced.
    public func acquire() async throws -> Permit {
        while true {
            try Task.checkCancellation()
            switch control.admit(at: now()) {
            case .paused(let until):
                try await sleep(until)
            case .full:
                await withCheckedContinuation { waiters.append($0) }
            case .admitted(let permit, let sendAt):
                if sendAt > now() {
                    do {
                        try await sleep(sendAt)
                    } catch {
                        control.abandon(permit)
                        wakeWaiters()
                        throw error
                    }
                }
                return permit
            }
        }
    }

    /// Gives the slot back and adapts to `outcome`.
    public func release(_ permit: Permit, outcome: Outcome) {
        control.release(permit, outcome: outcome, at: now())
        wakeWaiters()
    }

    /// Every waiter checks the (possibly lower) limit and the pause again.
    private func wakeWaiters() {
        let woken = waiters
        waiters.removeAll()
        for waiter in woken { waiter.resume() }
    }
}
