import Hummingbird

/// Gives every error the API's body shape, including the router's own (an unknown path, a body
/// Hummingbird refused), so a client never has to parse two kinds of error.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SandboxError {
            return error.response()
        } catch let error as HTTPError {
            // The router says 404 for a method it has no route for; on the API's own paths that is a 405.
            let segments = request.uri.path.split(separator: "/")
            if error.status == .notFound, segments.count >= 3, segments.count <= 4,
                segments[0] == "v1.0", segments[1] == "engagements", segments[2] == "referrals"
            {
                return SandboxError(
                    status: .methodNotAllowed, code: "invalidRequest",
                    message: "\(request.method) is not supported on \(request.uri.path): use GET, POST (collection), PUT or PATCH (one referral).",
                    target: "method"
                ).response()
            }
            let code = switch error.status.code {
            case 404: "itemNotFound"
            case 401: "unauthenticated"
            case 403: "accessDenied"
            case 400..<500: "invalidRequest"
            default: "generalException"
            }
            var answer = SandboxError(
                status: error.status, code: code,
                message: error.body ?? "\(request.method) \(request.uri.path) is not part of the referrals API.",
                target: "request")
            answer.headers = error.headers
            return answer.response()
        }
    }
}
