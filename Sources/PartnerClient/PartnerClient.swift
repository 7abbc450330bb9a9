import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Referrals

public struct PartnerClientConfiguration: Sendable {
    /// e.g. `https://api.partner.microsoft.com/v1.0`; `/engagements/referrals` is appended.
    public var baseURL: String
    public var requestTimeout: Duration = .seconds(30)
    public var connectTimeout: Duration = .seconds(10)
    /// Attempts per request for answers that say "try again" (429, 503, no connection).
    public var maxAttempts = 5
    public var retry = RetryPolicy()
    public var maxConcurrency = 8
    /// One per run, sent as `MS-CorrelationId`.
    public var correlationId = UUID().uuidString.lowercased()
    public var userAgent = "refbridge/1.0"

    public init(baseURL: String) { self.baseURL = baseURL }
}

/// How a create ended, from the point of view of "does the referral exist now".
public enum CreateOutcome: Sendable {
    /// Any 2xx: the referral as the server returned it.
    case created(Referral)
    /// The server refused the referral itself (4xx): sending it again would not help.
    case rejected(PartnerAPIError)
    /// The request may have reached the server (timeout, dropped connection, 5xx): the caller must
    /// look for the referral before ever sending it again.
    case uncertain(PartnerAPIError)
    /// Certainly not created, and the client gave up (throttled beyond the attempts, no
    /// connection, authentication).
    case failed(PartnerAPIError)
}

/// One page of the list endpoint.
public struct ReferralPage: Sendable {
    public var referrals: [Referral]
    public var nextLink: String?
}

/// A JSON Patch operation; the API supports `add` and `replace`.
public struct JSONPatchOperation: Codable, Sendable, Hashable {
    public var op: String
    public var path: String
    public var value: JSONValue

    public init(op: String, path: String, value: JSONValue) {
        self.op = op
        self.path = path
        self.value = value
    }
}

/// The Partner API referrals client. It never re-sends a create whose outcome is unknown: that is
/// the caller's decision, after reconciling (see `CreateOutcome.uncertain`).
public final class PartnerClient: Sendable {
    public let configuration: PartnerClientConfiguration
    let tokens: any TokenProvider
    let http: HTTPClient
    let limiter: AdaptiveLimiter
    let logger: Logger

    public init(configuration: PartnerClientConfiguration, tokenProvider: any TokenProvider, logger: Logger) {
        self.configuration = configuration
        tokens = tokenProvider
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(connect: .init(configuration.connectTimeout), read: .init(configuration.requestTimeout))
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, configuration.maxConcurrency * 2))
        httpConfiguration.decompression = .enabled(limit: .ratio(50))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        limiter = AdaptiveLimiter(maximum: configuration.maxConcurrency)
        self.logger = logger
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    var collectionURL: String { configuration.baseURL + "/engagements/referrals" }

    // MARK: create

    public func create(_ referral: Referral, requestId: String) async -> CreateOutcome {
        let body = ReferralJSON.encode(referral)
        var refreshed = false
        var attempt = 0
        while true {
            attempt += 1
            let result = await send(.POST, url: collectionURL, body: body, requestId: requestId, forceRefresh: refreshed && attempt > 1)
            switch result {
            case .failure(let error) where error.kind == .auth:
                return .failed(error)
            case .failure(let error) where error.kind == .network && Self.neverSent(error):
                if attempt < configuration.maxAttempts {
                    await pause(attempt: attempt, retryAfter: nil)
                    continue
                }
                return .failed(error)
            case .failure(let error):
                return .uncertain(error)
            case .success(let answer):
                switch answer.status {
                case 200..<300:
                    guard let created = try? ReferralJSON.decode(answer.body), created.id != nil else {
                        // Created, but the answer cannot be read: reconciliation will find it.
                        return .uncertain(PartnerAPIError(kind: .decoding, status: answer.status, message: "the create answer is not a referral"))
                    }
                    return .created(created)
                case 401 where !refreshed:
                    refreshed = true
                    continue
                case 429, 503:
                    let error = PartnerAPIError.from(status: answer.status, body: answer.body, retryAfter: answer.retryAfter)
                    if attempt < configuration.maxAttempts {
                        await pause(attempt: attempt, retryAfter: answer.retryAfter)
                        continue
                    }
                    return .failed(error)
                case 401, 403:
                    return .failed(PartnerAPIError.from(status: answer.status, body: answer.body, retryAfter: nil))
                case 408, 500..<600:
                    return .uncertain(PartnerAPIError.from(status: answer.status, body: answer.body, retryAfter: answer.retryAfter))
                default:
                    return .rejected(PartnerAPIError.from(status: answer.status, body: answer.body, retryAfter: nil))
                }
            }
        }
    }

    // MARK: reads and updates (safe to retry)

    public func get(id: String) async throws -> Referral {
        let answer = try await idempotent(.GET, url: collectionURL + "/" + Self.pathEscape(id))
        guard answer.status == 200 else { throw PartnerAPIError.from(status: answer.status, body: answer.body, retryAfter: nil) }
        return try decode(answer.body)
    }

    /// The newest referrals first; pass the previous page's `nextLink` to go on (followed verbatim).
    public func listRecent(nextLink: String?) async throws -> ReferralPage {
        try await list(url: nextLink ?? collectionURL + "?$orderby=" + Self.queryEscape("createdDateTime desc"))
    }

    /// A list query with the documented options.
    public func list(filter: String? = nil, orderBy: String? = nil, top: Int? = nil) async throws -> ReferralPage {
        var parts: [String] = []
        if let filter { parts.append("$filter=" + Self.queryEscape(filter)) }
        if let orderBy { parts.append("$orderby=" + Self.queryEscape(orderBy)) }
        if let top { parts.append("$top=\(top)") }
        return try await list(url: collectionURL + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&")))
    }

    func list(url: String) async throws -> ReferralPage {
        let target = url.hasPrefix("http") ? url : configuration.baseURL + (url.hasPrefix("/") ? "" : "/") + url
        let answer = try await idempotent(.GET, url: target)
        guard answer.status == 200 else { throw PartnerAPIError.from(status: answer.status, body: answer.body, retryAfter: nil) }
        guard let object = try? JSONValueParser.parseObject(answer.body), case .array(let items)? = object["value"] else {
            throw PartnerAPIError(kind: .decoding, status: 200, message: "the list answer has no value array")
        }
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        var referrals: [Referral] = []
        for item in items {
            if let referral = try? decoder.decode(Referral.self, from: encoder.encode(item)) { referrals.append(referral) }
        }
        var next: String?
        if case .string(let link)? = object["@odata.nextLink"] { next = link }
        return ReferralPage(referrals: referrals, nextLink: next)
    }

    /// Applies a JSON Patch and returns the referral as it now is. A network failure is retried: with
    /// `If-Match`, a patch that had applied answers 412 on the retry, and the caller re-reads.
    public func patch(id: String, operations: [JSONPatchOperation], ifMatch: String?) async throws -> Referral {
        let body = Array(try JSONEncoder().encode(operations))
        var headers: [(String, String)] = [("Prefer", "return=representation")]
        if let ifMatch { headers.append(("If-Match", ifMatch)) }
        let answer = try await idempotent(.PATCH, url: collectionURL + "/" + Self.pathEscape(id), body: body, headers: headers)
        switch answer.status {
        case 200: return try decode(answer.body)
        case 204: return try await get(id: id)
        default: throw PartnerAPIError.from(status: answer.status, body: answer.body, retryAfter: nil)
        }
    }

    // MARK: transport

    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]
        var retryAfter: Duration?
    }

    /// Retries 429/503/5xx and network failures up to `maxAttempts`; refreshes the token once on 401.
    func idempotent(_ method: HTTPMethod, url: String, body: [UInt8]? = nil, headers: [(String, String)] = []) async throws -> Answer {
        var refreshed = false
        var attempt = 0
        while true {
            attempt += 1
            switch await send(method, url: url, body: body, requestId: UUID().uuidString.lowercased(), extraHeaders: headers, forceRefresh: refreshed && attempt > 1) {
            case .failure(let error) where error.kind == .auth:
                throw error
            case .failure(let error):
                guard attempt < configuration.maxAttempts else { throw error }
                await pause(attempt: attempt, retryAfter: nil)
            case .success(let answer):
                if answer.status == 401, !refreshed {
                    refreshed = true
                    continue
                }
                if answer.status == 429 || answer.status >= 500, attempt < configuration.maxAttempts {
                    await pause(attempt: attempt, retryAfter: answer.retryAfter)
                    continue
                }
                return answer
            }
        }
    }

    private func pause(attempt: Int, retryAfter: Duration?) async {
        let delay = configuration.retry.delay(forAttempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0...1))
        try? await Task.sleep(for: delay)
    }

    func send(_ method: HTTPMethod, url: String, body: [UInt8]?, requestId: String, extraHeaders: [(String, String)] = [], forceRefresh: Bool) async -> Result<Answer, PartnerAPIError> {
        let token: String
        do {
            token = try await tokens.accessToken(forceRefresh: forceRefresh)
        } catch let error as PartnerAPIError {
            return .failure(error)
        } catch {
            return .failure(PartnerAPIError(kind: .auth, message: "\(error)"))
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer " + token)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        request.headers.add(name: "MS-RequestId", value: requestId)
        request.headers.add(name: "client-request-id", value: requestId)
        request.headers.add(name: "MS-CorrelationId", value: configuration.correlationId)
        for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        await limiter.acquire()
        let started = ContinuousClock.now
        do {
            let response = try await http.execute(request, timeout: .init(configuration.requestTimeout))
            let bytes = Array(buffer: try await response.body.collect(upTo: 32 << 20))
            let status = Int(response.status.code)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
            await limiter.release(status == 429 || status == 503 ? .throttled(retryAfter: retryAfter) : (status < 500 ? .success : .neutral))
            logger.debug("partner api", metadata: [
                "http.method": "\(method.rawValue)", "http.path": "\(Self.logPath(url))", "http.status": "\(status)",
                "request.id": "\(requestId)", "duration": "\(ContinuousClock.now - started)",
            ])
            return .success(Answer(status: status, body: bytes, retryAfter: retryAfter))
        } catch {
            await limiter.release(.neutral)
            logger.debug("partner api failed", metadata: ["http.method": "\(method.rawValue)", "http.path": "\(Self.logPath(url))", "request.id": "\(requestId)", "error": "\(error)"])
            return .failure(Self.classify(error))
        }
    }

    func decode(_ bytes: [UInt8]) throws -> Referral {
        do {
            return try ReferralJSON.decode(bytes)
        } catch {
            throw PartnerAPIError(kind: .decoding, message: "the answer is not a referral: \(error)")
        }
    }

    static func classify(_ error: any Error) -> PartnerAPIError {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return PartnerAPIError(kind: .network, code: "connectTimeout", message: "could not connect: timed out")
            case .readTimeout, .deadlineExceeded: return PartnerAPIError(kind: .timeout, message: "no answer in time")
            default: return PartnerAPIError(kind: .network, message: "\(error)")
            }
        }
        if error is NIOConnectionError { return PartnerAPIError(kind: .network, code: "connectFailed", message: "could not connect: \(error)") }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return PartnerAPIError(kind: .network, code: "connectTimeout", message: "could not connect: timed out")
        }
        return PartnerAPIError(kind: .network, message: "\(error)")
    }

    /// A failure before the request could leave: safe to send again.
    static func neverSent(_ error: PartnerAPIError) -> Bool {
        error.code == "connectTimeout" || error.code == "connectFailed"
    }

    /// The path without the query (filters may hold e-mail addresses).
    static func logPath(_ url: String) -> String {
        String(url.split(separator: "?", maxSplits: 1).first ?? "")
    }

    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func pathEscape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }
}
