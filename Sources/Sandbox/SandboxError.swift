import Foundation
import HTTPTypes
import Hummingbird
import Referrals

/// An error answer in the API's shape: `{"error":{"code","message","target","innerError"}}`.
struct SandboxError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var target: String?
    var innerCode: String?
    var details: [ValidationIssue] = []
    var headers: HTTPFields = [:]

    static func invalidRequest(_ message: String, target: String? = nil) -> SandboxError {
        SandboxError(status: .badRequest, code: "invalidRequest", message: message, target: target)
    }

    static func validation(_ issues: [ValidationIssue]) -> SandboxError {
        SandboxError(
            status: .badRequest, code: "invalidRequest",
            message: issues.map(\.description).joined(separator: "; "),
            target: issues.first?.path ?? "referral", innerCode: "validationFailed", details: issues)
    }

    static func notFound(_ id: String) -> SandboxError {
        SandboxError(status: .notFound, code: "itemNotFound", message: "No referral with id '\(id)'.", target: "id")
    }

    static let changedMeanwhile = SandboxError(
        status: .preconditionFailed, code: "preconditionFailed",
        message: "The referral changed while this request was processed: read it again and retry.", target: "If-Match")

    static let unauthenticated = SandboxError(
        status: .unauthorized, code: "unauthenticated",
        message: "A valid bearer token is required in the Authorization header.", target: "Authorization")

    func response() -> Response {
        var error: [String: Any] = ["code": code, "message": String(message.prefix(1024))]
        error["target"] = target ?? "referral"
        var inner: [String: Any] = ["code": innerCode ?? code, "message": String(message.prefix(1024))]
        if !details.isEmpty {
            inner["details"] = details.map { ["target": $0.path, "message": $0.message] }
        }
        error["innerError"] = inner
        let data = (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
