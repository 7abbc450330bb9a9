import Foundation
import Referrals

extension PartnerAPIError {
    /// The kind a status code means, before any retry decision.
    static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 401: .unauthorized
        case 403: .forbidden
        case 404, 410: .notFound
        case 408: .timeout
        case 412: .preconditionFailed
        case 429, 509: .throttled
        case 503: .unavailable
        case 400..<500: .rejected
        default: .serverError
        }
    }

    /// The kind an answer means: a documented error code first ("apps should only code against
    /// error codes", Error codes page), else the status. `resourceModified`/`preconditionFailed`
    /// mean the eTag is stale whatever the status (read again and retry), `serviceNotAvailable`
    /// means try later, `itemNotFound` is a 404.
    static func kind(forStatus status: Int, code: String?) -> Kind {
        switch code?.lowercased() {
        case "resourcemodified"?, "preconditionfailed"?: .preconditionFailed
        case "servicenotavailable"? where status >= 500: .unavailable
        case "itemnotfound"?: .notFound
        case "unauthenticated"?, "unauthorized"?: status == 401 ? .unauthorized : kind(forStatus: status)
        case "accessdenied"?: .forbidden
        default: kind(forStatus: status)
        }
    }

    /// Reads an error answer. The API's body is `{"error":{"code","message","target","innerError"}}`
    /// with `innerError` possibly nested (the deepest non-empty code wins); the throttling guidance
    /// shows `{"statusCode":429,"message":"…"}`; anything else is quoted, shortened, as text.
    static func from(status: Int, body: [UInt8], retryAfter: Duration?) -> PartnerAPIError {
        var code: String?
        var message: String?
        var target: String?
        if let object = try? JSONDecoder().decode(JSONValue.self, from: Data(body)), case .object(let top) = object {
            if case .object(let error)? = top["error"] {
                if case .string(let text)? = error["message"], !text.isEmpty { message = text }
                if case .string(let text)? = error["target"], !text.isEmpty { target = text }
                if case .string(let text)? = error["code"], !text.isEmpty { code = text }
                var inner = error["innerError"] ?? error["innererror"]
                while case .object(let fields)? = inner {
                    if case .string(let text)? = fields["code"], !text.isEmpty { code = text }
                    if message == nil, case .string(let text)? = fields["message"], !text.isEmpty { message = text }
                    inner = fields["innerError"] ?? fields["innererror"]
                }
            } else if case .string(let text)? = top["message"], !text.isEmpty {
                message = text
            }
        }
        if message == nil {
            let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            message = "HTTP \(status)" + (text.isEmpty ? "" : ": " + text)
        }
        return PartnerAPIError(kind: kind(forStatus: status, code: code), status: status, code: code, message: message!, target: target, retryAfter: retryAfter)
    }
}
