/// What one attempt came to, as far as retrying is concerned.
enum AttemptResult: Sendable, Equatable {
    /// The server answered.
    case answered(status: Int, retryAfter: Duration?)
    /// The request certainly never left (connection refused, connect timeout).
    case notSent
    /// The connection broke or timed out after the request may have been sent.
    case lost
}

/// What to do after an attempt.
enum RetryDecision: Sendable, Equatable {
    /// Wait this long, then send again.
    case retry(after: Duration)
    /// Get a fresh token, then send again at once (first 401 only).
    case refreshTokenAndRetry
    /// Stop: the last result is the answer.
    case finish
}

/// The retry rules, decided without I/O so that they can be tested alone.
///
/// | result | create (POST) | safe (GET; PATCH with If-Match or only `replace`) | unsafe PATCH |
/// |---|---|---|---|
/// | 2xx, 4xx but below | finish | finish | finish |
/// | first 401 | refresh, retry | refresh, retry | refresh, retry |
/// | 429, 509, 503 | retry (Retry-After) | retry (Retry-After) | retry (Retry-After) |
/// | 408, 500, 502, 504, other 5xx | finish (uncertain) | retry | finish |
/// | not sent (refused) | retry | retry | retry |
/// | lost (timeout, reset) | finish (uncertain) | retry | finish |
///
/// A retry happens only while `attempt < maxAttempts` and the server's `Retry-After` is at most
/// `policy.maxRetryAfter`. A 429 or 503 certainly did nothing, so even a create may be repeated;
/// anything that may have reached the server is returned to the caller for a create, which must
/// reconcile before sending again (exactly once).
struct RetryRules: Sendable {
    enum Safety: Sendable {
        /// Must never be repeated when its outcome is unknown (a create, an `add` without If-Match).
        case unsafe
        /// Repeating it cannot do harm: a read, or a write a repeat cannot apply twice.
        case safe
    }

    var maxAttempts: Int
    var policy: RetryPolicy

    /// 429, and 509, which the Error codes page describes as "throttled … retry after more time".
    static func isThrottling(_ status: Int) -> Bool { status == 429 || status == 509 }

    func decide(_ result: AttemptResult, attempt: Int, safety: Safety, tokenRefreshed: Bool, jitter: Double) -> RetryDecision {
        let canRetry = attempt < maxAttempts
        switch result {
        case .notSent:
            return canRetry ? .retry(after: policy.delay(forAttempt: attempt, retryAfter: nil, jitter: jitter)) : .finish
        case .lost:
            guard safety == .safe, canRetry else { return .finish }
            return .retry(after: policy.delay(forAttempt: attempt, retryAfter: nil, jitter: jitter))
        case .answered(let status, let retryAfter):
            switch status {
            case 401:
                // One refresh per request: a second 401 means the token is not the problem.
                return tokenRefreshed ? .finish : .refreshTokenAndRetry
            case 429, 509, 503:
                guard canRetry else { return .finish }
                if let retryAfter, retryAfter > policy.maxRetryAfter { return .finish }
                return .retry(after: policy.delay(forAttempt: attempt, retryAfter: retryAfter, jitter: jitter))
            case 408, 500...599:
                guard safety == .safe, canRetry else { return .finish }
                if let retryAfter, retryAfter > policy.maxRetryAfter { return .finish }
                return .retry(after: policy.delay(forAttempt: attempt, retryAfter: retryAfter, jitter: jitter))
            default:
                return .finish
            }
        }
    }
}
