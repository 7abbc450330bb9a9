import Foundation
import Logging
@testable import PartnerClient
import Referrals
import Sandbox
import Testing

/// Creates against the in-process sandbox: every outcome, and never a silent re-POST.
struct ClientCreateTests {
    @Test func aCreatedReferralComesBackDecoded() async throws {
        let logs = CapturedLogs()
        try await SandboxClientHarness.with(logs: logs) { server, client in
            let outcome = await client.create(SandboxClientHarness.referral("crm-1"), requestId: "req-1")
            guard case .created(let referral) = outcome else {
                Issue.record("not created: \(outcome)")
                return
            }
            #expect(referral.id != nil)
            #expect(referral.engagementId != nil)
            #expect(referral.eTag != nil)
            #expect(referral.externalReferenceId == "crm-1")
            #expect(referral.status == .active)
            #expect(server.requestCounts().create == 1)
        }
        let lines = logs.entries.filter { $0.message == "partner api" }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.level == .debug)
        #expect(line.metadata["http.method"] == "POST")
        #expect(line.metadata["http.path"] == "/v1.0/engagements/referrals")
        #expect(line.metadata["http.status"] == "201")
        #expect(line.metadata["partner.request_id"] == "req-1")
        #expect(line.metadata["partner.attempt"] == "1")
        #expect(line.metadata["partner.correlation_id"] != nil)
        for entry in logs.entries {
            #expect(!entry.text.contains("test-token"))
            #expect(!entry.text.contains("Fabrikam"))
            #expect(!entry.text.contains("ann.lee"))
        }
    }

    @Test func aTwoHundredCreateIsCreatedToo() async throws {
        try await SandboxClientHarness.with(sandbox: { $0.createStatus = 200 }) { _, client in
            guard case .created = await client.create(SandboxClientHarness.referral(), requestId: "r") else {
                Issue.record("200 not accepted as created")
                return
            }
        }
    }

    @Test func anInvalidReferralIsRejectedWithTheAPIsMessage() async throws {
        try await SandboxClientHarness.with { server, client in
            var referral = SandboxClientHarness.referral()
            referral.customerProfile = nil
            guard case .rejected(let error) = await client.create(referral, requestId: "r") else {
                Issue.record("not rejected")
                return
            }
            #expect(error.kind == .rejected)
            #expect(error.status == 400)
            #expect(error.message.contains("customerProfile"))
            #expect(server.requestCounts().create == 1)
        }
    }

    @Test func a401RefreshesTheTokenOnceAndSucceeds() async throws {
        var tokens: StaleThenFreshTokens?
        try await SandboxClientHarness.with(
            sandbox: { $0.auth = .issued },
            tokens: { server in
                let password = AzureADTokenProvider(
                    tokenURL: server.tokenURL, clientId: "refbridge-test", clientSecret: nil,
                    grant: .password(username: "sandbox@example.com", password: "sandbox"))
                let made = StaleThenFreshTokens(fresh: password)
                tokens = made
                return made
            }
        ) { server, client in
            guard case .created = await client.create(SandboxClientHarness.referral(), requestId: "r") else {
                Issue.record("not created after a refresh")
                return
            }
            #expect(server.requestCounts().create == 2)
        }
        #expect(await tokens?.forcedRefreshes == 1)
    }

    @Test func a401AfterTheRefreshFailsWithoutAThirdTry() async throws {
        try await SandboxClientHarness.with(sandbox: { $0.auth = .issued }, tokens: { _ in StaticTokenProvider(token: "never-valid") }) { server, client in
            guard case .failed(let error) = await client.create(SandboxClientHarness.referral(), requestId: "r") else {
                Issue.record("not failed")
                return
            }
            #expect(error.kind == .unauthorized)
            #expect(server.requestCounts().create == 2)
        }
    }

    @Test func a429WithRetryAfterIsWaitedOutByItsRequest() async throws {
        // One request a second with a one-second burst, on a sandbox clock that stands still until
        // the sandbox has answered a 429 and then jumps a minute: the third create meets exactly one
        // 429 (Retry-After: 1) and its retry goes through, however slow this machine is.
        let watched = ThrottleWatch()
        try await SandboxClientHarness.with(sandbox: {
            $0.throttle = 1
            $0.now = watched.clock
        }) { server, client in
            watched.watch(server)
            let started = ContinuousClock.now
            for index in 0..<3 {
                guard case .created = await client.create(SandboxClientHarness.referral("t\(index)"), requestId: "t\(index)") else {
                    Issue.record("create \(index) not created")
                    return
                }
            }
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            #expect(server.requestCounts().create == 4)
            #expect(await server.allReferrals().count == 3)
            // One 429 is a stray, not a rate: the client as a whole does not slow down for it
            // (LoadControlTests cover the cut when 429s make a share of the answers).
            #expect(await client.limiter.limit == client.configuration.maxConcurrency)
            #expect(await client.limiter.pacedRate == nil)
        }
    }

    @Test func aResponseLostAfterTheCreateIsUncertainAndNotResent() async throws {
        try await SandboxClientHarness.with(sandbox: {
            $0.faultRate = 1
            $0.faultMix = .init(throttled: 0, serverError: 0, unavailable: 0, dropAfterCreate: 1)
        }) { server, client in
            let outcome = await client.create(SandboxClientHarness.referral("lost"), requestId: "r")
            guard case .uncertain(let error) = outcome else {
                Issue.record("not uncertain: \(outcome)")
                return
            }
            #expect(error.kind == .network || error.kind == .timeout)
            #expect(server.requestCounts().create == 1)
            #expect(await server.allReferrals().map(\.externalReferenceId) == ["lost"])
        }
    }

    @Test func aServerErrorOnCreateIsUncertainAndNotResent() async throws {
        try await SandboxClientHarness.with(sandbox: {
            $0.faultRate = 1
            $0.faultMix = .init(throttled: 0, serverError: 1, unavailable: 0, dropAfterCreate: 0)
        }) { server, client in
            guard case .uncertain(let error) = await client.create(SandboxClientHarness.referral(), requestId: "r") else {
                Issue.record("not uncertain")
                return
            }
            #expect(error.status == 500)
            #expect(server.requestCounts().create == 1)
        }
    }

    @Test func unavailableBeyondTheAttemptsFails() async throws {
        try await SandboxClientHarness.with(
            sandbox: {
                $0.faultRate = 1
                $0.faultMix = .init(throttled: 0, serverError: 0, unavailable: 1, dropAfterCreate: 0)
            },
            client: { $0.maxAttempts = 2 }
        ) { server, client in
            guard case .failed(let error) = await client.create(SandboxClientHarness.referral(), requestId: "r") else {
                Issue.record("not failed")
                return
            }
            #expect(error.kind == .unavailable)
            #expect(error.retryAfter == .seconds(1))
            #expect(error.suggestsAbort)
            #expect(server.requestCounts().create == 2)
            #expect(await server.allReferrals().isEmpty)
            // A 503 delays only its own request: nobody else is paused, paced or limited.
            #expect(await client.limiter.pausedUntil == nil)
            #expect(await client.limiter.pacedRate == nil)
            #expect(await client.limiter.limit == client.configuration.maxConcurrency)
        }
    }

    @Test func anAPIThatIsDownFailsClearlyAfterTheAttempts() async throws {
        // A port that was just free: nothing listens there.
        var quiet = Logger(label: "q")
        quiet.logLevel = .critical
        var sandbox = SandboxConfiguration()
        sandbox.port = 0
        let server = try await SandboxServer.start(sandbox, logger: quiet)
        let baseURL = server.baseURL
        await server.shutdown()
        let configuration = PartnerClientConfiguration(baseURL: baseURL, maxAttempts: 3, retry: SandboxClientHarness.fastRetry)
        try await withPartnerClient(configuration: configuration, tokenProvider: StaticTokenProvider(token: "t"), logger: quiet) { client in
            let outcome = await client.create(SandboxClientHarness.referral(), requestId: "r")
            guard case .failed(let error) = outcome else {
                Issue.record("not failed: \(outcome)")
                return
            }
            #expect(error.neverSent)
            #expect(error.kind == .network)
            #expect(error.suggestsAbort)
        }
    }
}

/// A sandbox clock that stands still until the watched server has answered a 429, then is a
/// minute later: "time passes while the client waits out Retry-After", without a wall clock.
final class ThrottleWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var watched: SandboxServer?
    private static let start = Date(timeIntervalSince1970: 1_764_000_000)

    func watch(_ server: SandboxServer) {
        lock.withLock { watched = server }
    }

    var clock: @Sendable () -> Date {
        { [self] in
            let throttled = lock.withLock { watched?.requestCounts().throttled ?? 0 }
            return Self.start.addingTimeInterval(throttled > 0 ? 60 : 0)
        }
    }
}
