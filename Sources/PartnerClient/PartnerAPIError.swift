/// An answer or failure of the Partner API, with what the caller needs to decide: the kind, and the
/// API's own message (safe for reports: it never holds a token).
public struct PartnerAPIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// 429: slow down.
        case throttled
        /// 503.
        case unavailable
        /// 400, 404 on create, 409, 413, 415, 422: the request itself is wrong.
        case rejected
        /// 401, after one token refresh.
        case unauthorized
        case forbidden
        case notFound
        /// 412: the eTag is stale.
        case preconditionFailed
        /// Other 5xx.
        case serverError
        /// No connection, or it broke.
        case network
        case timeout
        /// An answer that is not the documented JSON.
        case decoding
        /// The token could not be obtained.
        case auth
    }

    public var kind: Kind
    public var status: Int?
    /// The deepest error code of the body that is understood.
    public var code: String?
    public var message: String
    public var target: String?
    public var retryAfter: Duration?

    public init(kind: Kind, status: Int? = nil, code: String? = nil, message: String, target: String? = nil, retryAfter: Duration? = nil) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = kind.rawValue
        if let status { text += " (HTTP \(status)" + (code.map { " \($0)" } ?? "") + ")" }
        return text + ": " + message
    }

    /// Reads the API's error body `{"error":{"code","message","target","innerError"}}`.
    static func from(status: Int, body: [UInt8], retryAfter: Duration?) -> PartnerAPIError {
        let kind: Kind =
            switch status {
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 408: .timeout
            case 412: .preconditionFailed
            case 429: .throttled
            case 503: .unavailable
            case 400..<500: .rejected
            default: .serverError
            }
        var code: String?
        var message = "HTTP \(status)"
        var target: String?
        if let object = try? JSONValueParser.parseObject(body), case .object(let error)? = object["error"] {
            if case .string(let text)? = error["message"] { message = String(text.prefix(1024)) }
            if case .string(let text)? = error["target"] { target = text }
            if case .string(let text)? = error["code"] { code = text }
            var inner = error["innerError"]
            while case .object(let fields)? = inner {
                if case .string(let text)? = fields["code"], !text.isEmpty { code = text }
                inner = fields["innerError"]
            }
        } else if let text = String(validating: body.prefix(300), as: UTF8.self), !text.isEmpty {
            message += ": " + text
        }
        return PartnerAPIError(kind: kind, status: status, code: code, message: message, target: target, retryAfter: retryAfter)
    }
}
