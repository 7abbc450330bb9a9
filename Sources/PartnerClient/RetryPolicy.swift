/// How long to wait before retrying, decided without I/O.
///
/// Exponential backoff with jitter: attempt n (1-based) waits `min(maxDelay, baseDelay × 2^(n-1))`
/// scaled by a jitter factor in [0.5, 1], and never less than the server's `Retry-After`.
/// With the defaults (base 0.5 s, cap 30 s):
///
/// | attempt | without jitter | with jitter  |
/// |---------|----------------|--------------|
/// | 1       | 0.5 s          | 0.25–0.5 s   |
/// | 2       | 1 s            | 0.5–1 s      |
/// | 3       | 2 s            | 1–2 s        |
/// | 5       | 8 s            | 4–8 s        |
/// | 8+      | 30 s           | 15–30 s      |
public struct RetryPolicy: Sendable, Hashable {
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30)) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// `jitter` in [0, 1] (random in production, fixed in tests).
    public func delay(forAttempt attempt: Int, retryAfter: Duration?, jitter: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let base = Double(baseDelay.components.seconds) + Double(baseDelay.components.attoseconds) / 1e18
        let cap = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) / 1e18
        let raw = min(cap, base * Double(1 << exponent))
        let jittered = raw * (0.5 + 0.5 * min(max(jitter, 0), 1))
        let delay = Duration.milliseconds(Int64((jittered * 1000).rounded()))
        if let retryAfter, retryAfter > delay { return retryAfter }
        return delay
    }
}
