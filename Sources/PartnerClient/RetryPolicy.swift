/// How long to wait before the next attempt: exponential backoff with jitter, capped, and never
/// shorter than the server's `Retry-After`. Pure: the caller supplies the random number.
///
/// For attempt *n* (1 = the wait after the first failed attempt), with base *b*, cap *c* and a
/// jitter number *j* in [0, 1]:
///
/// | ``Jitter`` | delay |
/// |---|---|
/// | `.full` (default) | j · min(c, b · 2ⁿ⁻¹) |
/// | `.equal` | (0.5 + 0.5·j) · min(c, b · 2ⁿ⁻¹) |
/// | `.decorrelated` | b + j · (min(c, b · 3ⁿ⁻¹) − b), a stateless form of AWS's decorrelated jitter |
/// | `.none` | min(c, b · 2ⁿ⁻¹) |
///
/// then `max(delay, Retry-After)`. With the defaults (b = 0.5 s, c = 30 s):
///
/// | attempt | `.none` | `.full` | `.equal` | `.decorrelated` |
/// |---|---|---|---|---|
/// | 1 | 0.5 s | 0–0.5 s | 0.25–0.5 s | 0.5 s |
/// | 2 | 1 s | 0–1 s | 0.5–1 s | 0.5–1.5 s |
/// | 3 | 2 s | 0–2 s | 1–2 s | 0.5–4.5 s |
/// | 4 | 4 s | 0–4 s | 2–4 s | 0.5–13.5 s |
/// | 5 | 8 s | 0–8 s | 4–8 s | 0.5–30 s |
/// | 7 | 30 s | 0–30 s | 15–30 s | 0.5–30 s |
///
/// Full jitter spreads the retries of many concurrent senders best (AWS Architecture Blog,
/// "Exponential Backoff And Jitter"); the adaptive limiter, not the delay, is what slows the
/// client as a whole.
public struct RetryPolicy: Sendable, Hashable {
    public enum Jitter: Sendable, Hashable {
        case full, equal, decorrelated, none
    }

    public var baseDelay: Duration
    public var maxDelay: Duration
    public var jitter: Jitter
    /// A `Retry-After` longer than this is not waited for: the request fails with the server's
    /// value in `PartnerAPIError.retryAfter`, and the caller decides (e.g. end the run).
    public var maxRetryAfter: Duration

    public init(baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30), jitter: Jitter = .full, maxRetryAfter: Duration = .seconds(120)) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before attempt `attempt + 1`.
    /// - Parameters:
    ///   - attempt: the attempt that just failed, from 1.
    ///   - retryAfter: the server's `Retry-After`, a floor.
    ///   - jitter: a number in [0, 1] (clamped), random in production, fixed in tests.
    public func delay(forAttempt attempt: Int, retryAfter: Duration?, jitter: Double) -> Duration {
        let exponent = Double(min(max(attempt - 1, 0), 62))
        let base = baseDelay.inSeconds
        let cap = max(maxDelay.inSeconds, 0)
        let j = min(max(jitter.isNaN ? 1 : jitter, 0), 1)
        let seconds: Double
        switch self.jitter {
        case .none: seconds = min(cap, base * pow2(exponent))
        case .full: seconds = j * min(cap, base * pow2(exponent))
        case .equal: seconds = (0.5 + 0.5 * j) * min(cap, base * pow2(exponent))
        case .decorrelated:
            let upper = min(cap, base * pow3(exponent))
            seconds = min(base, upper) + j * max(0, upper - base)
        }
        let delay = Duration.seconds(max(0, seconds))
        if let retryAfter, retryAfter > delay { return retryAfter }
        return delay
    }

    private func pow2(_ exponent: Double) -> Double { Double(sign: .plus, exponent: Int(exponent), significand: 1) }
    private func pow3(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(min(exponent, 40)) { value *= 3 }
        return value
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
