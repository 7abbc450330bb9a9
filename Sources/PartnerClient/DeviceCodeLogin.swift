public import AsyncHTTPClient
import Foundation
import Referrals

/// The device-code flow of `refbridge auth login`, for accounts with MFA (the password grant
/// cannot work there): the user signs in once in a browser; the refresh token is stored (0600) for
/// unattended runs, which redeem it with ``AzureADTokenProvider/Grant/refreshTokenFile(_:)``.
///
/// Azure AD v1: `POST {authority}/oauth2/devicecode` (client_id, resource) answers
/// `{user_code, device_code, verification_url, expires_in, interval, message}`; then
/// `POST {authority}/oauth2/token` with `grant_type=urn:ietf:params:oauth:grant-type:device_code`
/// and the device code, every `interval` seconds: `authorization_pending` (wait),
/// `slow_down` (wait 5 s longer each time), `expired_token`, `authorization_declined`, or tokens.
public struct DeviceCodeLogin: Sendable {
    public var deviceCodeURL: String
    public var tokenURL: String
    public var clientId: String
    public var resource: String
    public var http: HTTPClient
    /// How to wait between polls (tests make it instant).
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        deviceCodeURL: String, tokenURL: String, clientId: String, resource: String = "https://api.partner.microsoft.com",
        http: HTTPClient = TokenEndpoint.client, sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.deviceCodeURL = deviceCodeURL
        self.tokenURL = tokenURL
        self.clientId = clientId
        self.resource = resource
        self.http = http
        self.sleep = sleep
    }

    /// The URLs of an authority such as `https://login.microsoftonline.com/common`.
    public init(authority: String, clientId: String, resource: String = "https://api.partner.microsoft.com", http: HTTPClient = TokenEndpoint.client) {
        var base = authority
        while base.hasSuffix("/") { base.removeLast() }
        self.init(deviceCodeURL: base + "/oauth2/devicecode", tokenURL: base + "/oauth2/token", clientId: clientId, resource: resource, http: http)
    }

    /// What to tell the user.
    public struct Prompt: Sendable {
        public var userCode: String
        public var verificationURL: String
        /// The endpoint's own instructions ("To sign in, use a web browser to open …").
        public var message: String
    }

    /// Starts the flow, shows the prompt, polls until the user has signed in, saves the refresh
    /// token to `refreshTokenFile`. Throws `.auth` errors that say what to do.
    public func run(refreshTokenFile: String, show: @Sendable (Prompt) -> Void) async throws {
        let start = try await TokenEndpoint.post([("client_id", clientId), ("resource", resource)], to: deviceCodeURL, http: http)
        guard case .string(let deviceCode)? = start["device_code"], case .string(let userCode)? = start["user_code"] else {
            throw PartnerAPIError(kind: .auth, message: "the device-code endpoint answered without device_code and user_code")
        }
        let verification = Self.text(start["verification_url"]) ?? Self.text(start["verification_uri"]) ?? "https://microsoft.com/devicelogin"
        show(Prompt(userCode: userCode, verificationURL: verification, message: Self.text(start["message"]) ?? "To sign in, open \(verification) and enter the code \(userCode)."))
        // Bounded whatever the endpoint says ("interval": "1e300" would overflow the wait): polls
        // 1 to 60 s apart, for at most an hour.
        var interval = Self.bounded(Self.number(start["interval"]), default: 5, 1...60)
        let lifetime = Self.bounded(Self.number(start["expires_in"]), default: 900, 1...3600)
        var waited = 0.0
        while waited < lifetime {
            try await sleep(.milliseconds(Int64(interval * 1000)))
            waited += interval
            let fields: [String: JSONValue]
            do {
                fields = try await TokenEndpoint.post(
                    [
                        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", clientId),
                        ("resource", resource), ("code", deviceCode), ("device_code", deviceCode),
                    ], to: tokenURL, http: http, sleep: sleep)
            } catch let error as PartnerAPIError {
                switch error.code {
                case "authorization_pending": continue
                case "slow_down": interval = min(interval + 5, 60); continue
                case "expired_token", "code_expired":
                    throw PartnerAPIError(kind: .auth, code: error.code, message: "the code expired before the sign-in was completed: run `refbridge auth login` again")
                case "authorization_declined", "access_denied":
                    throw PartnerAPIError(kind: .auth, code: error.code, message: "the sign-in was declined")
                default: throw error
                }
            }
            let response = try TokenResponse(fields: fields)
            guard let refresh = response.refreshToken else {
                throw PartnerAPIError(kind: .auth, message: "signed in, but the answer has no refresh_token: the app registration must allow offline access")
            }
            try RefreshTokenFile.save(refresh, to: refreshTokenFile)
            return
        }
        throw PartnerAPIError(kind: .auth, code: "expired_token", message: "the sign-in was not completed within \(Int(lifetime)) s: run `refbridge auth login` again")
    }

    /// `value` within `range`; `default` when absent or not a finite number.
    static func bounded(_ value: Double?, default fallback: Double, _ range: ClosedRange<Double>) -> Double {
        guard let value, value.isFinite else { return fallback }
        return min(max(value, range.lowerBound), range.upperBound)
    }

    static func text(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value, !text.isEmpty { return text }
        return nil
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let number)?: number
        case .string(let text)?: Double(text)
        default: nil
        }
    }
}
