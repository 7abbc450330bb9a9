public import Foundation

/// How the client talks to the Partner API. Every field has a default but `baseURL`.
public struct PartnerClientConfiguration: Sendable {
    /// e.g. `https://api.partner.microsoft.com/v1.0`, or the sandbox's `http://127.0.0.1:PORT/v1.0`;
    /// `/engagements/referrals` is appended.
    public var baseURL: String
    /// The whole exchange of one attempt, from asking for a connection to the last body byte.
    public var requestTimeout: Duration
    public var connectTimeout: Duration
    /// Attempts per call, the first included, for answers that say "try again" (429, 503, no
    /// connection; for reads and safe updates also 5xx and broken connections).
    public var maxAttempts: Int
    public var retry: RetryPolicy
    /// The most requests in flight; the adaptive limiter lowers it while the API throttles.
    public var maxConcurrency: Int
    /// One per run, in every log line (`partner.correlation_id`). Not a header: the Headers page
    /// says `MS-CorrelationId` "should be reset for every call", so each request gets a new one.
    public var correlationId: String
    public var userAgent: String

    public init(
        baseURL: String,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10),
        maxAttempts: Int = 5,
        retry: RetryPolicy = RetryPolicy(),
        maxConcurrency: Int = 8,
        correlationId: String = UUID().uuidString.lowercased(),
        userAgent: String = "refbridge/1.0"
    ) {
        self.baseURL = baseURL
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxAttempts = maxAttempts
        self.retry = retry
        self.maxConcurrency = maxConcurrency
        self.correlationId = correlationId
        self.userAgent = userAgent
    }
}
