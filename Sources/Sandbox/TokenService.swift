import Foundation

/// An Azure-AD-v1-style token endpoint, so the client's real token code is exercised: password,
/// refresh_token and device-code grants, tokens that expire.
actor TokenService {
    static let resource = "https://api.partner.microsoft.com"

    private let ttl: TimeInterval
    private let users: [String: String]
    private var accessTokens: [String: Date] = [:]
    private var refreshTokens: Set<String> = []
    private var deviceCodes: [String: DeviceCode] = [:]
    private let now: @Sendable () -> Date

    struct DeviceCode {
        var userCode: String
        var expires: Date
        var polls: Int
    }

    private let deviceCodeInterval: String

    init(ttlSeconds: Int, users: [String: String], deviceCodeInterval: String = "1", now: @escaping @Sendable () -> Date = { Date() }) {
        self.deviceCodeInterval = deviceCodeInterval
        // Cut to ten years: `expires_on` is written as whole Unix seconds, which must stay an Int.
        ttl = TimeInterval(min(max(ttlSeconds, 1), SandboxConfiguration.longestTokenTTL))
        self.users = users
        self.now = now
    }

    /// Whether any token was issued: from then on (and always with `--auth issued`) only issued
    /// tokens are accepted.
    var hasIssued: Bool { !accessTokens.isEmpty }

    func isValid(_ token: String) -> Bool {
        guard let expiry = accessTokens[token] else { return false }
        return expiry > now()
    }

    /// Handles `POST /common/oauth2/token`. Returns (status, JSON body).
    func token(form: [String: String]) -> (Int, [String: String]) {
        guard form["client_id"].map({ !$0.isEmpty }) ?? false else {
            return oauthError("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'client_id'.")
        }
        switch form["grant_type"] {
        case "password":
            guard form["resource"] == Self.resource else {
                return oauthError("invalid_resource", "AADSTS500011: resource must be \(Self.resource)")
            }
            guard let user = form["username"], let password = form["password"], users[user] == password else {
                return oauthError("invalid_grant", "AADSTS50126: Error validating credentials due to invalid username or password.")
            }
            return (200, issue())
        case "refresh_token":
            guard let refresh = form["refresh_token"], refreshTokens.contains(refresh) else {
                return oauthError("invalid_grant", "AADSTS70000: The provided refresh token is invalid or expired.")
            }
            refreshTokens.remove(refresh)
            return (200, issue())
        case "device_code", "urn:ietf:params:oauth:grant-type:device_code":
            guard let code = form["code"] ?? form["device_code"], var pending = deviceCodes[code] else {
                return oauthError("invalid_grant", "AADSTS70019: the device code is unknown.")
            }
            guard pending.expires > now() else {
                deviceCodes[code] = nil
                return oauthError("expired_token", "AADSTS70019: the device code expired.")
            }
            // The user "signs in" between the first and the second poll.
            pending.polls += 1
            deviceCodes[code] = pending
            if pending.polls < 2 {
                return oauthError("authorization_pending", "AADSTS70016: Pending end-user authorization.")
            }
            deviceCodes[code] = nil
            return (200, issue())
        default:
            return oauthError("unsupported_grant_type", "AADSTS70003: grant_type must be password, refresh_token or device_code.")
        }
    }

    /// Handles `POST /common/oauth2/devicecode`.
    func deviceCode(form: [String: String], verificationURL: String) -> (Int, [String: String]) {
        guard form["client_id"].map({ !$0.isEmpty }) ?? false else {
            return oauthError("invalid_request", "AADSTS900144: client_id is required.")
        }
        let device = UUID().uuidString
        let user = String(UUID().uuidString.prefix(8))
        deviceCodes[device] = DeviceCode(userCode: user, expires: now().addingTimeInterval(900), polls: 0)
        return (200, [
            "user_code": user, "device_code": device, "verification_url": verificationURL, "expires_in": "900", "interval": deviceCodeInterval,
            "message": "To sign in, open \(verificationURL) and enter the code \(user) to authenticate.",
        ])
    }

    private func issue() -> [String: String] {
        let access = "sbx." + UUID().uuidString.lowercased()
        let refresh = "sbr." + UUID().uuidString.lowercased()
        let now = self.now()
        accessTokens[access] = now.addingTimeInterval(ttl)
        refreshTokens.insert(refresh)
        let seconds = String(Int(ttl))
        return [
            "token_type": "Bearer", "scope": "user_impersonation", "expires_in": seconds, "ext_expires_in": seconds,
            "expires_on": String(Int(now.timeIntervalSince1970 + ttl)), "not_before": String(Int(now.timeIntervalSince1970)),
            "resource": Self.resource, "access_token": access, "refresh_token": refresh,
        ]
    }

    private func oauthError(_ code: String, _ description: String) -> (Int, [String: String]) {
        (400, ["error": code, "error_description": description])
    }
}
