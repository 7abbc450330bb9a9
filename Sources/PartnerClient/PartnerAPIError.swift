/// A failure of the Partner API or of getting there, with what the caller decides on: the
/// ``Kind``, the HTTP status, the API's own error code, and its message.
///
/// `message` comes from the API's error body (at most 1,024 characters) or is written here; it is
/// safe for reports and logs: it never holds a token, a secret or a request body.
public struct PartnerAPIError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a closed-for-now set that can grow without breaking callers (a struct
    /// around a private enum, as `HTTPClientError` does). Compare with `==` or match in a `switch`.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case throttled, unavailable, rejected, unauthorized, forbidden, notFound
            case preconditionFailed, serverError, network, timeout, decoding, auth
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// 429: too many requests; `retryAfter` says how long to wait.
        public static let throttled = Kind(.throttled)
        /// 503: the service is down or overloaded.
        public static let unavailable = Kind(.unavailable)
        /// A 4xx about the request itself (400, 409, 413, 415, 422, …): sending it again will not help.
        public static let rejected = Kind(.rejected)
        /// 401, still, after one token refresh.
        public static let unauthorized = Kind(.unauthorized)
        /// 403: the user lacks the Referrals Admin/User role, or conditional access refused.
        public static let forbidden = Kind(.forbidden)
        /// 404.
        public static let notFound = Kind(.notFound)
        /// 412: the `If-Match` eTag is stale; read again and retry.
        public static let preconditionFailed = Kind(.preconditionFailed)
        /// 500, 502, 504 and other 5xx but 503.
        public static let serverError = Kind(.serverError)
        /// No connection, or it broke. `code` is `connectFailed`/`connectTimeout` when the request
        /// certainly never left.
        public static let network = Kind(.network)
        /// No answer in time (the request may have been processed), or a 408.
        public static let timeout = Kind(.timeout)
        /// An answer that is not the documented JSON.
        public static let decoding = Kind(.decoding)
        /// No token: the token source or endpoint failed.
        public static let auth = Kind(.auth)

        /// A stable, lower-camel-case name for logs and metrics.
        public var description: String { base.rawValue }
    }

    public var kind: Kind
    public var status: Int?
    /// The deepest error code of the API body (`innerError` nested), or a transport code such
    /// as `connectFailed`.
    public var code: String?
    /// For people; never matched on. At most 1,024 characters.
    public var message: String
    /// The API's `target` (the offending field or header), when given.
    public var target: String?
    /// The server's `Retry-After`, when given.
    public var retryAfter: Duration?

    public init(kind: Kind, status: Int? = nil, code: String? = nil, message: String, target: String? = nil, retryAfter: Duration? = nil) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = String(message.prefix(Self.maximumMessageLength))
        self.target = target
        self.retryAfter = retryAfter
    }

    static let maximumMessageLength = 1024

    /// `rejected (HTTP 400 invalidRequest, target details.currency): <message>`.
    public var description: String {
        var text = kind.description
        var details: [String] = []
        if let status { details.append("HTTP \(status)") }
        if let code { details.append(code) }
        if let target { details.append("target \(target)") }
        if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
        return text + ": " + message
    }

    /// The kind and status only: free of dynamic text, for metrics and grouping.
    public var shortDescription: String {
        status.map { "\(kind) \($0)" } ?? kind.description
    }

    /// The certain "the request never left this machine" failures: connection refused, connect
    /// timeout. Safe to send again, even a create.
    public var neverSent: Bool {
        kind == .network && (code == Self.connectFailed || code == Self.connectTimeout)
    }

    /// Whether the failure says the API (or the way to it) is unusable for now, so a batch should
    /// stop rather than fail record after record: no token, 401/403, 503 or 429 beyond the
    /// attempts, no connection.
    public var suggestsAbort: Bool {
        switch kind {
        case .auth, .unauthorized, .forbidden, .unavailable, .throttled, .network, .timeout: true
        default: false
        }
    }

    static let connectFailed = "connectFailed"
    static let connectTimeout = "connectTimeout"
}
