import AsyncHTTPClient
import Foundation

/// The device-code flow of `refbridge auth login`: for accounts with MFA, where the password grant
/// cannot work. The user signs in once in a browser; the refresh token is stored for unattended runs.
public struct DeviceCodeLogin: Sendable {
    public var deviceCodeURL: String
    public var tokenURL: String
    public var clientId: String
    public var resource: String
    public var http: HTTPClient

    public init(deviceCodeURL: String, tokenURL: String, clientId: String, resource: String = "https://api.partner.microsoft.com", http: HTTPClient = .shared) {
        self.deviceCodeURL = deviceCodeURL
        self.tokenURL = tokenURL
        self.clientId = clientId
        self.resource = resource
        self.http = http
    }

    /// Starts the flow, shows `message` to the user, polls until signed in, saves the refresh token.
    public func run(refreshTokenFile: String, show: @Sendable (String) -> Void) async throws {
        let start = try await AzureADTokenProvider.post(form: ["client_id": clientId, "resource": resource], to: deviceCodeURL, http: http)
        guard let deviceCode = start["device_code"] else {
            throw PartnerAPIError(kind: .auth, message: "the device-code endpoint answered without device_code")
        }
        show(start["message"] ?? "Open \(start["verification_url"] ?? "the sign-in page") and enter \(start["user_code"] ?? "the code").")
        var interval = Double(start["interval"] ?? "5") ?? 5
        let deadline = Date().addingTimeInterval(Double(start["expires_in"] ?? "900") ?? 900)
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            do {
                let answer = try await AzureADTokenProvider.post(
                    form: ["grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": clientId, "resource": resource, "code": deviceCode],
                    to: tokenURL, http: http)
                guard let refresh = answer["refresh_token"] else {
                    throw PartnerAPIError(kind: .auth, message: "signed in, but the answer has no refresh_token: the app registration must allow offline access")
                }
                try RefreshTokenFile.save(refresh, to: refreshTokenFile)
                return
            } catch let error as PartnerAPIError where error.code == "authorization_pending" {
                continue
            } catch let error as PartnerAPIError where error.code == "slow_down" {
                interval += 5
            }
        }
        throw PartnerAPIError(kind: .auth, message: "the sign-in was not completed before the code expired: run `refbridge auth login` again")
    }
}
