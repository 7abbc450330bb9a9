public import AsyncHTTPClient
public import Foundation
import Referrals

/// App+User tokens from an Azure AD v1 token endpoint (`{authority}/oauth2/token`, form-encoded,
/// `resource=https://api.partner.microsoft.com`):
///
/// - `.password`: the resource owner password grant (`scope=openid`), as Partner Center documents
///   it; fails for accounts with MFA.
/// - `.refreshTokenFile`: the refresh_token grant, redeeming the token `refbridge auth login`
///   stored. The endpoint rotates refresh tokens: each new one is saved back (0600, atomically).
///
/// The access token is kept until shortly before it expires (a tenth of its lifetime early, at
/// most five minutes); concurrent callers share one request to the endpoint; a forced refresh
/// within five seconds of the last one returns that fresh token (many requests may see the same
/// 401). A refresh token that comes with a password grant is used for later refreshes.
public actor AzureADTokenProvider: TokenProvider {
    public enum Grant: Sendable {
        case password(username: String, password: String)
        /// The refresh token is read from, and rotated in, this file.
        case refreshTokenFile(String)
    }

    public nonisolated let tokenURL: String
    public nonisolated let clientId: String
    public nonisolated let resource: String
    nonisolated let clientSecret: String?
    nonisolated let scope: String?
    nonisolated let grant: Grant
    nonisolated let http: HTTPClient
    nonisolated let now: @Sendable () -> Date

    private struct Token {
        var value: String
        var obtained: Date
        var refreshAt: Date
    }

    private var cached: Token?
    private var refreshToken: String?
    private var pending: Task<Token, any Error>?

    /// - Parameters:
    ///   - tokenURL: e.g. `https://login.microsoftonline.com/common/oauth2/token`.
    ///   - clientSecret: for confidential app registrations; nil for public clients.
    ///   - scope: sent with the password grant (`openid` as documented).
    ///   - http: must not follow redirects (the default, `TokenEndpoint.client`, does not): the form holds secrets.
    ///   - now: the clock (tests).
    public init(
        tokenURL: String, clientId: String, clientSecret: String?, resource: String = "https://api.partner.microsoft.com",
        scope: String? = "openid", grant: Grant, http: HTTPClient = TokenEndpoint.client, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.tokenURL = tokenURL
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.resource = resource
        self.scope = scope
        self.grant = grant
        self.http = http
        self.now = now
    }

    public func accessToken(forceRefresh: Bool) async throws -> String {
        let current = now()
        if let cached {
            if !forceRefresh, cached.refreshAt > current { return cached.value }
            if forceRefresh, current.timeIntervalSince(cached.obtained) < 5 { return cached.value }
        }
        if let pending { return try await pending.value.value }
        let task = Task { try await self.fetch() }
        pending = task
        defer { pending = nil }
        let token = try await task.value
        cached = token
        return token.value
    }

    private func fetch() async throws -> Token {
        var form: [(String, String)] = [("client_id", clientId), ("resource", resource)]
        if let clientSecret { form.append(("client_secret", clientSecret)) }
        let refreshFile: String?
        var usedRefreshToken = false
        switch grant {
        case .refreshTokenFile(let path):
            refreshFile = path
            let token = try refreshToken ?? RefreshTokenFile.read(path)
            form += [("grant_type", "refresh_token"), ("refresh_token", token)]
            usedRefreshToken = true
        case .password(let username, let password):
            refreshFile = nil
            if let refreshToken {
                form += [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
                usedRefreshToken = true
            } else {
                form += [("grant_type", "password"), ("username", username), ("password", password)]
                if let scope { form.append(("scope", scope)) }
            }
        }
        let issued = now()
        let fields: [String: JSONValue]
        do {
            fields = try await TokenEndpoint.post(form, to: tokenURL, http: http)
        } catch let error as PartnerAPIError where usedRefreshToken && error.code == "invalid_grant" {
            if case .password = grant {
                // The remembered refresh token expired: fall back to the password.
                refreshToken = nil
                return try await fetch()
            }
            throw PartnerAPIError(
                kind: .auth, status: error.status, code: error.code,
                message: "\(error.message). The stored refresh token (\(refreshFile ?? "?")) no longer works: run `refbridge auth login` again")
        }
        let response = try TokenResponse(fields: fields)
        if let rotated = response.refreshToken {
            refreshToken = rotated
            if let refreshFile { try RefreshTokenFile.save(rotated, to: refreshFile) }
        }
        let expiry = response.expiry(issued: issued)
        let lifetime = max(0, expiry.timeIntervalSince(issued))
        return Token(value: try BearerToken.validated(response.accessToken, source: "the token endpoint"), obtained: issued, refreshAt: expiry.addingTimeInterval(-min(300, lifetime / 10)))
    }
}
