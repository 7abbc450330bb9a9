import Foundation
import Logging
import Referrals
import Sandbox
import Testing
@testable import PartnerClient

/// Issue #10 item 3: a token endpoint that redirects must not get the credentials sent on.
struct TokenRedirectTests {
    static func start(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws -> SandboxServer {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configure(&configuration)
        var quiet = Logger(label: "sandbox")
        quiet.logLevel = .critical
        return try await SandboxServer.start(configuration, logger: quiet)
    }

    @Test func aRedirectFromTheTokenEndpointIsRefusedAndNothingIsResent() async throws {
        // The "attacker": a working token endpoint on another origin that counts what reaches it.
        let elsewhere = try await Self.start()
        let redirecting = try await Self.start { [tokenURL = elsewhere.tokenURL] in $0.tokenRedirect = tokenURL }
        let provider = AzureADTokenProvider(
            tokenURL: redirecting.tokenURL, clientId: "refbridge-test", clientSecret: "s3cret",
            grant: .password(username: "sandbox@example.com", password: "sandbox"))
        let error = await #expect(throws: PartnerAPIError.self) { _ = try await provider.accessToken() }
        #expect(error?.code == "redirectRefused")
        #expect(error?.status == 307)
        #expect(error?.message.contains(elsewhere.origin) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("s3cret") == false)
        #expect(redirecting.requestCounts().token == 1)  // asked once, not retried
        #expect(elsewhere.requestCounts().token == 0)  // the credentials never went there
        await elsewhere.shutdown()
        await redirecting.shutdown()
    }

    @Test func theDeviceCodeLoginRefusesARedirectToo() async throws {
        let elsewhere = try await Self.start()
        let redirecting = try await Self.start { [tokenURL = elsewhere.tokenURL] in $0.tokenRedirect = tokenURL }
        let login = DeviceCodeLogin(
            deviceCodeURL: redirecting.deviceCodeURL, tokenURL: redirecting.tokenURL, clientId: "refbridge-test", sleep: { _ in })
        let file = NSTemporaryDirectory() + "refbridge-redirect-\(UUID().uuidString)"
        let error = await #expect(throws: PartnerAPIError.self) { try await login.run(refreshTokenFile: file, show: { _ in }) }
        #expect(error?.code == "redirectRefused")
        #expect(elsewhere.requestCounts().token == 0)
        #expect(!FileManager.default.fileExists(atPath: file))
        await elsewhere.shutdown()
        await redirecting.shutdown()
    }
}
