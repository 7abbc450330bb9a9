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
