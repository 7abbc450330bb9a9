import Foundation
import Logging
import PartnerClient
import Referrals
import Sandbox

/// A sandbox on a free port and a client for it, both shut down on every path.
enum SandboxClientHarness {
    /// Retries in milliseconds, so tests stay fast; `Retry-After` from the sandbox still applies.
    static let fastRetry = RetryPolicy(baseDelay: .milliseconds(5), maxDelay: .milliseconds(40))

    static func with(
        sandbox configureSandbox: (inout SandboxConfiguration) -> Void = { _ in },
        client configureClient: (inout PartnerClientConfiguration) -> Void = { _ in },
        tokens makeTokens: (SandboxServer) -> any TokenProvider = { _ in StaticTokenProvider(token: "test-token") },
        logs: CapturedLogs? = nil,
        _ body: (SandboxServer, PartnerClient) async throws -> Void
    ) async throws {
        var sandboxConfiguration = SandboxConfiguration()
        sandboxConfiguration.port = 0
        configureSandbox(&sandboxConfiguration)
        var quiet = Logger(label: "sandbox")
        quiet.logLevel = .critical
        let server = try await SandboxServer.start(sandboxConfiguration, logger: quiet)
        var configuration = PartnerClientConfiguration(baseURL: server.baseURL, maxAttempts: 3, retry: fastRetry)
        configureClient(&configuration)
        let logger = logs.map { $0.logger() } ?? quiet
        do {
            try await withPartnerClient(configuration: configuration, tokenProvider: makeTokens(server), logger: logger) { client in
                try await body(server, client)
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// A valid referral as the uploader would send it.
    static func referral(_ externalId: String = UUID().uuidString) -> Referral {
        Referral(
            name: "Deal \(externalId)", externalReferenceId: externalId, status: .new, substatus: .pending, type: .independent,
            qualification: .salesQualified,
            customerProfile: CustomerProfile(
                name: "Fabrikam Ltd", address: Address(city: "Leeds", country: "GB"),
                team: [Member(firstName: "Ann", lastName: "Lee", email: "ann.lee@fabrikam.example")]),
            consent: Consent(consentToToShareInfoWithOthers: true, consentToContact: true),
            details: ReferralDetails(notes: "Wants Dynamics 365", dealValue: 1200, currency: "GBP"))
    }
}

/// Log lines kept in memory, to assert what is (and is not) logged.
final class CapturedLogs: @unchecked Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
        /// Everything in the line as text, for "never contains" checks.
        var text: String { message + " " + metadata.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ") }
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    var entries: [Entry] { lock.withLock { stored } }

    func append(_ entry: Entry) { lock.withLock { stored.append(entry) } }

    func logger() -> Logger {
        var logger = Logger(label: "partner-client-test") { _ in Handler(logs: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.append(Entry(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}

/// Hands out a stale token until a refresh is forced, then a real one from the sandbox.
actor StaleThenFreshTokens: TokenProvider {
    let fresh: (any TokenProvider)?
    private(set) var forcedRefreshes = 0

    init(fresh: (any TokenProvider)?) { self.fresh = fresh }

    func accessToken(forceRefresh: Bool) async throws -> String {
        if forceRefresh { forcedRefreshes += 1 }
        guard forcedRefreshes > 0, let fresh else { return "stale-token" }
        return try await fresh.accessToken(forceRefresh: false)
    }
}
