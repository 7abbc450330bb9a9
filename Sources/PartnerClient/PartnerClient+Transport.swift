import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

extension PartnerClient {
    /// The final answer of a call, whatever its status.
    struct Exchange: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var retryAfter: Duration?

        var error: PartnerAPIError { PartnerAPIError.from(status: status, body: body, retryAfter: retryAfter) }
    }

    /// One call: attempts, token refresh and waits per ``RetryRules``, each attempt through the
    /// limiter. Returns the last answer, or the failure that ended the call (transport or token).
    func call(
        _ method: HTTPMethod, url: String, body: [UInt8]? = nil, headers extraHeaders: [(String, String)] = [],
        requestId: String, safety: RetryRules.Safety
    ) async -> Result<Exchange, PartnerAPIError> {
        var attempt = 0
        var tokenRefreshed = false
        var forceRefresh = false
        while true {
            attempt += 1
            let token: String
            do {
                token = try await tokens.accessToken(forceRefresh: forceRefresh)
            } catch let error as PartnerAPIError {
                return .failure(error)
            } catch {
                return .failure(PartnerAPIError(kind: .auth, message: "no token: \(error)"))
            }
            forceRefresh = false
            let (result, attemptResult) = await send(
                method, url: url, body: body, headers: extraHeaders, token: token, requestId: requestId, attempt: attempt)
            let decision = rules.decide(
                attemptResult, attempt: attempt, safety: safety, tokenRefreshed: tokenRefreshed, jitter: Double.random(in: 0...1))
            switch decision {
            case .finish:
                return result
            case .refreshTokenAndRetry:
                tokenRefreshed = true
                forceRefresh = true
                logger.info("partner api: 401, refreshing the token once", metadata: metadata(method, url, requestId, attempt))
            case .retry(let delay):
                var fields = metadata(method, url, requestId, attempt)
                fields["partner.retry_in"] = "\(delay)"
                switch result {
                case .success(let answer): fields["http.status"] = "\(answer.status)"
                case .failure(let error): fields["error"] = "\(error.shortDescription)"
                }
                logger.info("partner api: retrying", metadata: fields)
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return result  // cancelled: the last answer stands
                }
            }
        }
    }

    /// One attempt.
    private func send(
        _ method: HTTPMethod, url: String, body: [UInt8]?, headers extraHeaders: [(String, String)],
        token: String, requestId: String, attempt: Int
    ) async -> (Result<Exchange, PartnerAPIError>, AttemptResult) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = Self.headers(token: token, requestId: requestId, userAgent: configuration.userAgent, extra: extraHeaders)
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let permit: AdaptiveLimiter.Permit
        do {
            permit = try await limiter.acquire()
        } catch {
            return (.failure(PartnerAPIError(kind: .network, code: "cancelled", message: "cancelled before sending")), .notSent)
        }
        let started = ContinuousClock.now
        var fields = metadata(method, url, requestId, attempt)
        var status: Int?
        do {
            let response = try await http.execute(request, timeout: .init(configuration.requestTimeout))
            status = Int(response.status.code)
            let bytes = Array(buffer: try await response.body.collect(upTo: 64 << 20))
            let retryAfter = RetryAfter.parse(response.headers.first(name: "Retry-After"))
            let code = Int(response.status.code)
            // Only a 429 or 509 (Error codes: "throttled … retry after more time") is about the
            // client's pace; a 503 or 500 waits alone (RetryRules).
            let throttled = RetryRules.isThrottling(code)
            await limiter.release(permit, outcome: throttled ? .throttled(retryAfter: retryAfter) : (code < 500 ? .success : .neutral))
            fields["http.status"] = "\(code)"
            fields["duration"] = "\(ContinuousClock.now - started)"
            logger.debug("partner api", metadata: fields)
            let exchange = Exchange(status: code, headers: response.headers, body: bytes, retryAfter: retryAfter)
            return (.success(exchange), .answered(status: code, retryAfter: retryAfter))
        } catch {
            await limiter.release(permit, outcome: .neutral)
            var (failure, result) = Self.classify(error)
            if let status {
                // The status line came, the body did not: the server acted on the request.
                failure.status = status
                result = .lost
            }
            fields["error"] = "\(failure.shortDescription)"
            fields["duration"] = "\(ContinuousClock.now - started)"
            logger.debug("partner api failed", metadata: fields)
            return (.failure(failure), result)
        }
    }

    /// The headers of one attempt.
    static func headers(token: String, requestId: String, userAgent: String, extra: [(String, String)]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer " + token)
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: userAgent)
        // Headers page: `MS-RequestId` stays the same only for a retry of the same call ("the retry
        // call should include the same value"), which exactly-once rests on; `client-request-id`
        // and `MS-CorrelationId` "should be reset for every call", so each attempt gets new ones.
        headers.add(name: "MS-RequestId", value: requestId)
        headers.add(name: "client-request-id", value: newRequestId())
        headers.add(name: "MS-CorrelationId", value: newRequestId())
        for (name, value) in extra { headers.add(name: name, value: value) }
        // Every documented example, GETs included, sends this header.
        headers.add(name: "Content-Type", value: "application/json")
        return headers
    }

    func metadata(_ method: HTTPMethod, _ url: String, _ requestId: String, _ attempt: Int) -> Logger.Metadata {
        [
            "http.method": "\(method.rawValue)", "http.path": "\(Self.logPath(url))",
            "partner.request_id": "\(requestId)", "partner.attempt": "\(attempt)",
        ]
    }

    /// Sorts a transport failure into "certainly never sent" and "may have been sent".
    static func classify(_ error: any Error) -> (PartnerAPIError, AttemptResult) {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                return (PartnerAPIError(kind: .network, code: PartnerAPIError.connectTimeout, message: "could not connect in time (\(error))"), .notSent)
            case .alreadyShutdown:
                return (PartnerAPIError(kind: .network, code: PartnerAPIError.connectFailed, message: "the client was shut down"), .notSent)
            case .readTimeout, .writeTimeout, .deadlineExceeded:
                return (PartnerAPIError(kind: .timeout, message: "no answer in time (\(error)); the server may have acted on the request"), .lost)
            case .remoteConnectionClosed:
                return (PartnerAPIError(kind: .network, code: "connectionClosed", message: "the server closed the connection before answering; it may have acted on the request"), .lost)
            default:
                return (PartnerAPIError(kind: .network, message: "\(error)"), .lost)
            }
        }
        if error is NIOConnectionError {
            return (PartnerAPIError(kind: .network, code: PartnerAPIError.connectFailed, message: "could not connect: \(error)"), .notSent)
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return (PartnerAPIError(kind: .network, code: PartnerAPIError.connectTimeout, message: "could not connect in time"), .notSent)
        }
        if let error = error as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode) {
            return (PartnerAPIError(kind: .network, code: PartnerAPIError.connectFailed, message: "could not connect: \(error)"), .notSent)
        }
        if error is CancellationError {
            return (PartnerAPIError(kind: .network, code: "cancelled", message: "cancelled; the server may have acted on the request"), .lost)
        }
        return (PartnerAPIError(kind: .network, message: "\(error); the server may have acted on the request"), .lost)
    }

    /// The path without the query (filters may hold e-mail addresses, skip tokens are noise).
    static func logPath(_ url: String) -> String {
        let withoutQuery = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let schemeEnd = withoutQuery.range(of: "://") else { return withoutQuery }
        let rest = withoutQuery[schemeEnd.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }
}
