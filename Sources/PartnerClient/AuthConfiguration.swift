import AsyncHTTPClient
import Foundation

/// The job file's `api.auth` block. Exactly one source:
///
/// ```yaml
/// auth:
///   tokenEnv: REFBRIDGE_TOKEN            # or
///   tokenFile: /run/secrets/partner-token # or
///   tokenCommand: "…prints a token…"      # or
///   oauth2:
///     tokenURL: https://login.microsoftonline.com/common/oauth2/token
///     clientId: 00000000-0000-0000-0000-000000000000
///     clientSecretEnv: REFBRIDGE_CLIENT_SECRET   # optional
///     usernameEnv: REFBRIDGE_USERNAME            # password grant, with passwordEnv
///     passwordEnv: REFBRIDGE_PASSWORD
///     refreshTokenFile: .refbridge/refresh-token # or: after `refbridge auth login`
///     resource: https://api.partner.microsoft.com
/// ```
/// Secrets are named by environment variable, never written in the file.
public struct AuthConfiguration: Sendable, Decodable {
    public var tokenEnv: String?
    public var tokenFile: String?
    public var tokenCommand: String?
    public var oauth2: OAuth2?

    public struct OAuth2: Sendable, Decodable {
        public var tokenURL: String
        public var clientId: String
        public var clientSecretEnv: String?
        public var usernameEnv: String?
        public var passwordEnv: String?
        public var refreshTokenFile: String?
        public var resource: String?
    }

    /// Builds the provider; `relativeTo` resolves relative file paths (the job file's folder).
    public func makeTokenProvider(relativeTo folder: String = FileManager.default.currentDirectoryPath) throws -> any TokenProvider {
        let sources = [tokenEnv != nil, tokenFile != nil, tokenCommand != nil, oauth2 != nil].filter { $0 }.count
        guard sources == 1 else {
            throw PartnerAPIError(kind: .auth, message: "api.auth must name exactly one of tokenEnv, tokenFile, tokenCommand or oauth2 (found \(sources))")
        }
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path) }
        if let tokenEnv { return StaticTokenProvider(.environment(tokenEnv)) }
        if let tokenFile { return StaticTokenProvider(.file(resolve(tokenFile))) }
        if let tokenCommand { return StaticTokenProvider(.command(tokenCommand)) }
        let oauth = oauth2!
        let environment = ProcessInfo.processInfo.environment
        func secret(_ name: String?, _ key: String) throws -> String? {
            guard let name else { return nil }
            guard let value = environment[name], !value.isEmpty else {
                throw PartnerAPIError(kind: .auth, message: "api.auth.oauth2.\(key) names the environment variable \(name), which is not set")
            }
            return value
        }
        let clientSecret = try secret(oauth.clientSecretEnv, "clientSecretEnv")
        let grant: AzureADTokenProvider.Grant
        if let file = oauth.refreshTokenFile {
            grant = .refreshTokenFile(resolve(file))
        } else if let username = try secret(oauth.usernameEnv, "usernameEnv"), let password = try secret(oauth.passwordEnv, "passwordEnv") {
            grant = .password(username: username, password: password)
        } else {
            throw PartnerAPIError(kind: .auth, message: "api.auth.oauth2 needs refreshTokenFile (after `refbridge auth login`) or usernameEnv and passwordEnv")
        }
        return AzureADTokenProvider(tokenURL: oauth.tokenURL, clientId: oauth.clientId, clientSecret: clientSecret, resource: oauth.resource ?? "https://api.partner.microsoft.com", grant: grant)
    }
}
