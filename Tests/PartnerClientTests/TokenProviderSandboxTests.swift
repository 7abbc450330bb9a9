import Foundation
import Logging
import Referrals
import Sandbox
import Testing
@testable import PartnerClient

/// The Azure AD token providers and the device-code login against the sandbox's token endpoint.
struct TokenProviderSandboxTests {
    /// A clock tests move by hand.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var current = Date()
        var now: Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    }

    func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "refbridge-auth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    func mode(_ path: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func thePasswordGrantGivesATokenTheAPIAcceptsAndItIsKeptUntilNearExpiry() async throws {
        let clock = ManualClock()
        var provider: AzureADTokenProvider?
        try await SandboxClientHarness.with(
            sandbox: { $0.auth = .issued; $0.tokenTTLSeconds = 600 },
            tokens: { server in
                let made = AzureADTokenProvider(
                    tokenURL: server.tokenURL, clientId: "refbridge-test", clientSecret: "s3cret",
                    grant: .password(username: "sandbox@example.com", password: "sandbox"), now: { clock.now })
                provider = made
                return made
            }
        ) { server, client in
            guard case .created = await client.create(SandboxClientHarness.referral(), requestId: "r") else {
                Issue.record("not created with a password-grant token")
                return
            }
            let first = try await provider!.accessToken()
            _ = try await client.get(id: (await server.allReferrals()).first!.id!)
            #expect(server.requestCounts().token == 1)
            // 600 s lifetime: refreshed a tenth early, at 540 s.
            clock.advance(530)
            #expect(try await provider!.accessToken() == first)
            clock.advance(20)
            let second = try await provider!.accessToken()
            #expect(second != first)
            // The refresh used the refresh token that came with the password grant.
            #expect(server.requestCounts().token == 2)
            // A forced refresh right after a refresh returns that fresh token (many requests may
            // see the same 401).
            #expect(try await provider!.accessToken(forceRefresh: true) == second)
            #expect(server.requestCounts().token == 2)
        }
    }

    @Test func concurrentCallersShareOneTokenRequest() async throws {
        try await SandboxClientHarness.with { server, _ in
            let provider = AzureADTokenProvider(
                tokenURL: server.tokenURL, clientId: "refbridge-test", clientSecret: nil,
                grant: .password(username: "sandbox@example.com", password: "sandbox"))
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await provider.accessToken() } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(tokens.count == 1)
            #expect(server.requestCounts().token == 1)
        }
    }

    @Test func aWrongPasswordIsAnAuthErrorThatDoesNotRepeatThePassword() async throws {
        try await SandboxClientHarness.with(
            sandbox: { $0.auth = .issued },
            tokens: { server in
                AzureADTokenProvider(
                    tokenURL: server.tokenURL, clientId: "refbridge-test", clientSecret: nil,
                    grant: .password(username: "sandbox@example.com", password: "wrong-horse-battery"))
            }
        ) { server, client in
            guard case .failed(let error) = await client.create(SandboxClientHarness.referral(), requestId: "r") else {
                Issue.record("not failed")
                return
            }
            #expect(error.kind == .auth)
            #expect(error.code == "invalid_grant")
            #expect(error.message.hasPrefix("the token endpoint refused (invalid_grant): AADSTS50126"))
            #expect(!error.description.contains("wrong-horse-battery"))
            #expect(server.requestCounts().create == 0)
        }
    }

    @Test func deviceCodeLoginStoresARefreshTokenThatUnattendedRunsRedeem() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/state/refresh-token"
        try await SandboxClientHarness.with(sandbox: { $0.auth = .issued }) { server, _ in
            var login = DeviceCodeLogin(authority: server.origin + "/common", clientId: "refbridge-test")
            login.sleep = { _ in }
            let prompts = PromptBox()
            try await login.run(refreshTokenFile: file) { prompts.set($0) }
            let prompt = try #require(prompts.value)
            #expect(prompt.message.contains(prompt.userCode))
            #expect(try mode(file) == 0o600)
            #expect(try mode(folder + "/state") == 0o700)
            let stored = try RefreshTokenFile.read(file)
            #expect(stored.hasPrefix("sbr."))
            // start + pending poll + success
            #expect(server.requestCounts().token >= 2)

            // A nightly run: the refresh_token grant, and the rotated token saved back.
            let configuration = try JSONDecoder().decode(
                AuthConfiguration.self,
                from: Data(#"{"oauth2":{"tokenURL":"\#(server.tokenURL)","clientId":"refbridge-test","refreshTokenFile":"state/refresh-token"}}"#.utf8))
            let provider = try configuration.makeTokenProvider(relativeTo: folder, environment: [:])
            let configurationForClient = PartnerClientConfiguration(baseURL: server.baseURL, retry: SandboxClientHarness.fastRetry)
            var quiet = Logging.Logger(label: "q")
            quiet.logLevel = .critical
            try await withPartnerClient(configuration: configurationForClient, tokenProvider: provider, logger: quiet) { client in
                guard case .created = await client.create(SandboxClientHarness.referral(), requestId: "nightly") else {
                    Issue.record("not created with the refreshed token")
                    return
                }
            }
            let rotated = try RefreshTokenFile.read(file)
            #expect(rotated != stored)
            #expect(try mode(file) == 0o600)
            // Only the token file is in the folder: no temporary files left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/state") == ["refresh-token"])
        }
    }

    @Test func aRefreshTokenTheEndpointNoLongerKnowsSaysToLogInAgain() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try RefreshTokenFile.save("sbr.revoked", to: folder + "/refresh-token")
        try await SandboxClientHarness.with { server, _ in
            let provider = AzureADTokenProvider(
                tokenURL: server.tokenURL, clientId: "refbridge-test", clientSecret: nil, grant: .refreshTokenFile(folder + "/refresh-token"))
            await #expect {
                _ = try await provider.accessToken()
            } throws: { error in
                let error = error as? PartnerAPIError
                return error?.kind == .auth && error?.code == "invalid_grant" && error?.message.hasSuffix("run `refbridge auth login` again") == true
                    && error?.message.contains("sbr.revoked") == false
            }
        }
    }

    @Test func noStoredRefreshTokenSaysToLogInOnce() async throws {
        let provider = AzureADTokenProvider(
            tokenURL: "http://127.0.0.1:9/common/oauth2/token", clientId: "c", clientSecret: nil, grant: .refreshTokenFile("/nonexistent/refresh-token"))
        await #expect {
            _ = try await provider.accessToken()
        } throws: { error in
            "\(error)" == "auth: no refresh token at /nonexistent/refresh-token: run `refbridge auth login` once (interactively)"
        }
    }
}

final class PromptBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: DeviceCodeLogin.Prompt?
    var value: DeviceCodeLogin.Prompt? { lock.withLock { stored } }
    func set(_ prompt: DeviceCodeLogin.Prompt) { lock.withLock { stored = prompt } }
}
