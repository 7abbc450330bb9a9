public import AsyncHTTPClient
public import Foundation

/// The job file's `api.auth` block: exactly one token source.
///
/// ```yaml
/// auth:
///   tokenEnv: REFBRIDGE_TOKEN              # a bearer token in an environment variable, or
///   tokenFile: /run/secrets/partner-token  # in a file (read again after a 401), or
///   tokenCommand: "az account get-access-token --resource https://api.partner.microsoft.com --query accessToken -o tsv"
///   oauth2:                                # or Azure AD v1:
///     tokenURL: https://login.microsoftonline.com/common/oauth2/token   # the default
///     clientId: 00000000-0000-0000-0000-000000000000
///     clientSecretEnv: REFBRIDGE_CLIENT_SECRET   # optional; or clientSecretFile
///     refreshTokenFile: .refbridge/refresh-token # after `refbridge auth login` (MFA accounts), or
///     username: ops@contoso.com                  # the password grant: username or usernameEnv,
///     passwordEnv: REFBRIDGE_PASSWORD            # and passwordEnv or passwordFile
///     resource: https://api.partner.microsoft.com  # the default
///     scope: openid                              # the default (password grant)
/// ```
///
/// Secrets are named (environment variable or file), never written in the job file; relative
/// file paths are resolved against the job file's folder. Unknown keys are errors (a typo must
/// not silently select another source).
public struct AuthConfiguration: Sendable, Decodable {
    public var tokenEnv: String?
    public var tokenFile: String?
    public var tokenCommand: String?
    public var oauth2: OAuth2?

    public struct OAuth2: Sendable, Decodable {
        public var tokenURL: String
        public var clientId: String
        public var clientSecretEnv: String?
        public var clientSecretFile: String?
        public var username: String?
        public var usernameEnv: String?
        public var passwordEnv: String?
        public var passwordFile: String?
        public var refreshTokenFile: String?
        public var resource: String
        public var scope: String?

        public static let defaultTokenURL = "https://login.microsoftonline.com/common/oauth2/token"
        public static let defaultResource = "https://api.partner.microsoft.com"

        public init(
            tokenURL: String = defaultTokenURL, clientId: String, clientSecretEnv: String? = nil, clientSecretFile: String? = nil,
            username: String? = nil, usernameEnv: String? = nil, passwordEnv: String? = nil, passwordFile: String? = nil,
            refreshTokenFile: String? = nil, resource: String = defaultResource, scope: String? = "openid"
        ) {
            self.tokenURL = tokenURL
            self.clientId = clientId
            self.clientSecretEnv = clientSecretEnv
            self.clientSecretFile = clientSecretFile
            self.username = username
            self.usernameEnv = usernameEnv
            self.passwordEnv = passwordEnv
            self.passwordFile = passwordFile
            self.refreshTokenFile = refreshTokenFile
            self.resource = resource
            self.scope = scope
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case tokenURL, clientId, clientSecretEnv, clientSecretFile, username, usernameEnv, passwordEnv, passwordFile
            case refreshTokenFile, resource, scope
        }

        public init(from decoder: any Decoder) throws {
            try AuthConfiguration.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.rawValue), block: "api.auth.oauth2")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                tokenURL: try container.decodeIfPresent(String.self, forKey: .tokenURL) ?? Self.defaultTokenURL,
                clientId: try container.decode(String.self, forKey: .clientId),
                clientSecretEnv: try container.decodeIfPresent(String.self, forKey: .clientSecretEnv),
                clientSecretFile: try container.decodeIfPresent(String.self, forKey: .clientSecretFile),
                username: try container.decodeIfPresent(String.self, forKey: .username),
                usernameEnv: try container.decodeIfPresent(String.self, forKey: .usernameEnv),
                passwordEnv: try container.decodeIfPresent(String.self, forKey: .passwordEnv),
                passwordFile: try container.decodeIfPresent(String.self, forKey: .passwordFile),
                refreshTokenFile: try container.decodeIfPresent(String.self, forKey: .refreshTokenFile),
                resource: try container.decodeIfPresent(String.self, forKey: .resource) ?? Self.defaultResource,
                scope: try container.decodeIfPresent(String.self, forKey: .scope) ?? "openid")
        }
    }

    public init(tokenEnv: String? = nil, tokenFile: String? = nil, tokenCommand: String? = nil, oauth2: OAuth2? = nil) {
        self.tokenEnv = tokenEnv
        self.tokenFile = tokenFile
        self.tokenCommand = tokenCommand
        self.oauth2 = oauth2
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case tokenEnv, tokenFile, tokenCommand, oauth2
    }

    public init(from decoder: any Decoder) throws {
        try Self.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.rawValue), block: "api.auth")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            tokenEnv: try container.decodeIfPresent(String.self, forKey: .tokenEnv),
            tokenFile: try container.decodeIfPresent(String.self, forKey: .tokenFile),
            tokenCommand: try container.decodeIfPresent(String.self, forKey: .tokenCommand),
            oauth2: try container.decodeIfPresent(OAuth2.self, forKey: .oauth2))
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func rejectUnknownKeys(in decoder: any Decoder, known: [String], block: String) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [key],
                debugDescription: "unknown key '\(key.stringValue)' in \(block); expected one of: \(known.joined(separator: ", "))"))
        }
    }

    /// Builds the provider the block names.
    /// - Parameters:
    ///   - folder: relative file paths are resolved against it (the job file's folder).
    ///   - environment: where `…Env` names are looked up.
    ///   - http: for the token endpoint; it must not follow redirects (the default does not).
    public func makeTokenProvider(
        relativeTo folder: String = FileManager.default.currentDirectoryPath,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        http: HTTPClient = TokenEndpoint.client
    ) throws -> any TokenProvider {
        let named = [tokenEnv.map { _ in "tokenEnv" }, tokenFile.map { _ in "tokenFile" }, tokenCommand.map { _ in "tokenCommand" }, oauth2.map { _ in "oauth2" }].compactMap { $0 }
        guard named.count == 1 else {
            throw PartnerAPIError(
                kind: .auth,
                message: named.isEmpty
                    ? "api.auth names no token source: use one of tokenEnv, tokenFile, tokenCommand or oauth2"
                    : "api.auth names \(named.joined(separator: " and ")): use exactly one")
        }
        func resolve(_ path: String) -> String {
            if path.hasPrefix("/") { return path }
            if path.hasPrefix("~/") { return NSString(string: path).expandingTildeInPath }
            return (folder as NSString).appendingPathComponent(path)
        }
        if let tokenEnv { return StaticTokenProvider(.environment(tokenEnv), environment: environment) }
        if let tokenFile { return StaticTokenProvider(.file(resolve(tokenFile))) }
        if let tokenCommand { return StaticTokenProvider(.command(tokenCommand)) }
        let oauth = oauth2!
        func secret(env: String?, file: String?, key: String) throws -> String? {
            if let env {
                guard let value = environment[env], !value.isEmpty else {
                    throw PartnerAPIError(kind: .auth, message: "api.auth.oauth2.\(key)Env names the environment variable \(env), which is not set")
                }
                return value
            }
            if let file {
                let path = resolve(file)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw PartnerAPIError(kind: .auth, message: "cannot read api.auth.oauth2.\(key)File \(path)")
                }
                let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !value.isEmpty else { throw PartnerAPIError(kind: .auth, message: "api.auth.oauth2.\(key)File \(path) is empty") }
                return value
            }
            return nil
        }
        let clientSecret = try secret(env: oauth.clientSecretEnv, file: oauth.clientSecretFile, key: "clientSecret")
        let grant: AzureADTokenProvider.Grant
        if let file = oauth.refreshTokenFile {
            grant = .refreshTokenFile(resolve(file))
        } else {
            let username = try oauth.username ?? secret(env: oauth.usernameEnv, file: nil, key: "username")
            let password = try secret(env: oauth.passwordEnv, file: oauth.passwordFile, key: "password")
            guard let username, let password else {
                throw PartnerAPIError(
                    kind: .auth,
                    message: "api.auth.oauth2 needs refreshTokenFile (after `refbridge auth login`, for MFA accounts) or a username (username/usernameEnv) and a password (passwordEnv/passwordFile)")
            }
            grant = .password(username: username, password: password)
        }
        return AzureADTokenProvider(
            tokenURL: oauth.tokenURL, clientId: oauth.clientId, clientSecret: clientSecret, resource: oauth.resource, scope: oauth.scope,
            grant: grant, http: http)
    }
}
