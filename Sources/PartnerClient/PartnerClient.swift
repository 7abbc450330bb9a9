import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTPCompression

/// The Partner Center referrals API client, over one shared `HTTPClient`.
///
/// It never re-sends a create whose outcome is unknown: that is the caller's decision, after
/// reconciling (see ``CreateOutcome/uncertain(_:)``). Reads, and updates that cannot apply twice,
/// are retried on 5xx and network failures; everything is retried on 429 and 503 (honouring
/// `Retry-After`) and when the connection could not be made. A 401 refreshes the token once.
///
/// Logs (debug: every exchange; info: retries) carry method, path (no query: filters may hold
/// e-mail addresses), status, attempt, request id and duration; never a header value, token or body.
///
/// Shut it down with ``shutdown()``, or use ``withPartnerClient(configuration:tokenProvider:logger:_:)``.
public final class PartnerClient: Sendable {
    public let configuration: PartnerClientConfiguration
    let tokens: any TokenProvider
    let http: HTTPClient
    let limiter: AdaptiveLimiter
    let rules: RetryRules
    let logger: Logger

    public init(configuration: PartnerClientConfiguration, tokenProvider: any TokenProvider, logger: Logger) {
        self.configuration = configuration
        tokens = tokenProvider
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(connect: .init(configuration.connectTimeout), read: .init(configuration.requestTimeout))
        // Idle connections are dropped before a server would drop them (the sandbox closes after
        // 15 s): a request sent on a connection the server is closing fails "after sending", and a
        // create would then be uncertain for nothing.
        httpConfiguration.connectionPool = .init(
            idleTimeout: .seconds(10),
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, configuration.maxConcurrency * 2))
        // A refused connection fails the request at once (our retry loop, with backoff and the
        // limiter, decides), instead of AHC retrying quietly until the request's deadline.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        // Never follow a redirect: a POST must not be re-sent behind our back, nor a token sent
        // to another host.
        httpConfiguration.redirectConfiguration = .disallow
        httpConfiguration.decompression = .enabled(limit: .ratio(50))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        limiter = AdaptiveLimiter(maximum: configuration.maxConcurrency)
        rules = RetryRules(maxAttempts: max(1, configuration.maxAttempts), policy: configuration.retry)
        var logger = logger
        logger[metadataKey: "partner.correlation_id"] = "\(configuration.correlationId)"
        self.logger = logger
    }

    /// Closes the connections. Call once, after the last request.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// How many requests may be in flight now: `maxConcurrency`, or less while the API throttles.
    public func currentConcurrencyLimit() async -> Int {
        await limiter.limit
    }

    /// `https://…/v1.0/engagements/referrals`.
    var collectionURL: String {
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/engagements/referrals"
    }

    func itemURL(_ id: String) -> String {
        collectionURL + "/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id)
    }
}

/// Runs `body` with a client and shuts the client down on every path.
public func withPartnerClient<Result: Sendable>(
    configuration: PartnerClientConfiguration,
    tokenProvider: any TokenProvider,
    logger: Logger,
    _ body: (PartnerClient) async throws -> Result
) async throws -> Result {
    let client = PartnerClient(configuration: configuration, tokenProvider: tokenProvider, logger: logger)
    let result: Result
    do {
        result = try await body(client)
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
    return result
}
