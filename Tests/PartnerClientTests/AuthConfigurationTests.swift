import Foundation
import Testing
@testable import PartnerClient

struct AuthConfigurationTests {
    func decode(_ json: String) throws -> AuthConfiguration {
        try JSONDecoder().decode(AuthConfiguration.self, from: Data(json.utf8))
    }

    func error(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error { return context.debugDescription }
            return "\(error)"
        } catch {
            return "\(error)"
        }
    }

    @Test func decodesTheOAuth2BlockWithDefaults() throws {
        let configuration = try decode(#"{"oauth2":{"clientId":"app","refreshTokenFile":".refbridge/refresh-token"}}"#)
        let oauth = try #require(configuration.oauth2)
        #expect(oauth.tokenURL == "https://login.microsoftonline.com/common/oauth2/token")
        #expect(oauth.resource == "https://api.partner.microsoft.com")
        #expect(oauth.scope == "openid")
        let provider = try #require(try configuration.makeTokenProvider(relativeTo: "/jobs", environment: [:]) as? AzureADTokenProvider)
        #expect(provider.clientId == "app")
        guard case .refreshTokenFile(let path) = provider.grant else {
            Issue.record("not a refresh grant")
            return
        }
        #expect(path == "/jobs/.refbridge/refresh-token")
    }

    @Test func aTypoIsAnErrorNotAnotherSource() {
        #expect(error { _ = try decode(#"{"tokenenv":"X"}"#) } == "unknown key 'tokenenv' in api.auth; expected one of: tokenEnv, tokenFile, tokenCommand, oauth2")
        #expect(error { _ = try decode(#"{"oauth2":{"clientId":"a","password":"hunter2"}}"#) }.hasPrefix("unknown key 'password' in api.auth.oauth2;"))
    }

    @Test func exactlyOneSource() throws {
        #expect(error { _ = try decode("{}").makeTokenProvider(environment: [:]) } == "auth: api.auth names no token source: use one of tokenEnv, tokenFile, tokenCommand or oauth2")
        #expect(error { _ = try decode(#"{"tokenEnv":"A","tokenFile":"b"}"#).makeTokenProvider(environment: [:]) } == "auth: api.auth names tokenEnv and tokenFile: use exactly one")
    }

    @Test func thePasswordGrantTakesSecretsFromTheEnvironmentOrFiles() throws {
        let folder = NSTemporaryDirectory() + "refbridge-auth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "pa55\n".write(toFile: folder + "/password", atomically: true, encoding: .utf8)
        let configuration = try decode(#"{"oauth2":{"clientId":"app","usernameEnv":"USER_X","passwordFile":"password","clientSecretEnv":"SECRET_X"}}"#)
        let provider = try #require(try configuration.makeTokenProvider(relativeTo: folder, environment: ["USER_X": "ops@contoso.example", "SECRET_X": "s3"]) as? AzureADTokenProvider)
        guard case .password(let username, let password) = provider.grant else {
            Issue.record("not a password grant")
            return
        }
        #expect(username == "ops@contoso.example")
        #expect(password == "pa55")
        #expect(provider.clientSecret == "s3")
        #expect(error { _ = try configuration.makeTokenProvider(relativeTo: folder, environment: ["USER_X": "u"]) }
            == "auth: api.auth.oauth2.clientSecretEnv names the environment variable SECRET_X, which is not set")
        let incomplete = try decode(#"{"oauth2":{"clientId":"app","username":"u"}}"#)
        #expect(error { _ = try incomplete.makeTokenProvider(environment: [:]) }.hasPrefix("auth: api.auth.oauth2 needs refreshTokenFile"))
    }

    @Test func staticSourcesBecomeStaticProviders() throws {
        let provider = try #require(try decode(#"{"tokenCommand":"pass show partner"}"#).makeTokenProvider(environment: [:]) as? StaticTokenProvider)
        #expect(provider.sourceDescription == "api.auth.tokenCommand")
        let file = try #require(try decode(#"{"tokenFile":"secrets/token"}"#).makeTokenProvider(relativeTo: "/etc/refbridge", environment: [:]) as? StaticTokenProvider)
        #expect(file.sourceDescription == "the token file /etc/refbridge/secrets/token (api.auth.tokenFile)")
    }
}
