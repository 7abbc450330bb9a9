import Foundation
import Referrals
import Testing

@testable import Sandbox

@Suite struct SandboxAuthTests {
    static let password: [String: String] = [
        "grant_type": "password", "client_id": "app", "resource": "https://api.partner.microsoft.com",
        "username": "sandbox@example.com", "password": "sandbox", "scope": "openid",
    ]

    @Test func missingOrMalformedBearerIs401() async throws {
        try await SandboxHarness.with { sandbox in
            let body = Data(ReferralJSON.encode(SandboxHarness.valid()))
            let none = try await sandbox.request("POST", SandboxHarness.collection, body: body, auth: false)
            #expect(none.status == 401 && none.errorCode == "unauthenticated" && none.errorTarget == "Authorization")
            let basic = try await sandbox.request("GET", SandboxHarness.collection, headers: ["Authorization": "Basic dXNlcjpwdw=="], auth: false)
            #expect(basic.status == 401)
            let empty = try await sandbox.request("GET", SandboxHarness.collection, headers: ["Authorization": "Bearer "], auth: false)
            #expect(empty.status == 401)
            #expect(try await sandbox.request("GET", SandboxHarness.collection + "/x", auth: false).status == 401)
            #expect(try await sandbox.request("PATCH", SandboxHarness.collection + "/x", body: Data("[]".utf8), auth: false).status == 401)
            #expect(await sandbox.server.allReferrals().isEmpty)
        }
    }

    @Test func passwordGrantIssuesTokensWithNumbersAsStrings() async throws {
        try await SandboxHarness.with { harness in
            var sandbox = harness
            // Before the token endpoint is used, any bearer token is accepted (--auth any).
            #expect(try await sandbox.create(SandboxHarness.valid()).status == 201)
            let answer = try await sandbox.form("/common/oauth2/token", Self.password)
            #expect(answer.status == 200)
            for key in ["expires_in", "ext_expires_in", "expires_on", "not_before"] {
                #expect(answer.json[key] is String, "\(key) must be a string, as Azure AD v1 sends it")
            }
            #expect(answer.json["expires_in"] as? String == "3600")
            #expect(answer.json["token_type"] as? String == "Bearer")
            #expect(answer.json["resource"] as? String == "https://api.partner.microsoft.com")
            let access = try #require(answer.json["access_token"] as? String)
            // Once tokens are issued, only issued tokens are accepted.
            let foreign = try await sandbox.create(SandboxHarness.valid())
            #expect(foreign.status == 401 && foreign.errorCode == "unauthenticated")
            sandbox.token = access
            #expect(try await sandbox.create(SandboxHarness.valid()).status == 201)
            let refreshed = try await sandbox.form("/common/oauth2/token", [
                "grant_type": "refresh_token", "client_id": "app", "refresh_token": answer.json["refresh_token"] as! String,
            ])
            #expect(refreshed.status == 200 && refreshed.json["access_token"] as? String != access)
            // A refresh token is used once.
            let reused = try await sandbox.form("/common/oauth2/token", [
                "grant_type": "refresh_token", "client_id": "app", "refresh_token": answer.json["refresh_token"] as! String,
            ])
            #expect(reused.status == 400 && reused.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func tokenEndpointRefusesBadRequests() async throws {
        try await SandboxHarness.with { sandbox in
            func oauthError(_ changes: [String: String?]) async throws -> String? {
                var form = Self.password
                for (key, value) in changes { form[key] = value }
                let answer = try await sandbox.form("/common/oauth2/token", form)
                #expect(answer.status == 400)
                return answer.json["error"] as? String
            }
            let errors = [
                try await oauthError(["password": "wrong"]), try await oauthError(["username": "nobody@example.com"]),
                try await oauthError(["resource": "https://graph.microsoft.com"]), try await oauthError(["client_id": nil]),
                try await oauthError(["grant_type": "client_credentials"]),
            ]
            #expect(errors == ["invalid_grant", "invalid_grant", "invalid_resource", "invalid_request", "unsupported_grant_type"])
            #expect(sandbox.server.requestCounts().token == 5)
            #expect(sandbox.server.requestCounts().api == 0)
        }
    }

    @Test func deviceCodeFlowPendsThenIssues() async throws {
        try await SandboxHarness.with { sandbox in
            let start = try await sandbox.form("/common/oauth2/devicecode", ["client_id": "app", "resource": "https://api.partner.microsoft.com"])
            let code = try #require(start.json["device_code"] as? String)
            #expect(start.json["user_code"] as? String != nil && start.json["interval"] as? String == "1")
            #expect(start.json["expires_in"] as? String == "900")
            let pending = try await sandbox.form("/common/oauth2/token", ["grant_type": "device_code", "client_id": "app", "code": code])
            #expect(pending.status == 400 && pending.json["error"] as? String == "authorization_pending")
            let done = try await sandbox.form(
                "/common/oauth2/token", ["grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": "app", "device_code": code])
            #expect(done.status == 200 && done.json["refresh_token"] as? String != nil)
            let again = try await sandbox.form("/common/oauth2/token", ["grant_type": "device_code", "client_id": "app", "code": code])
            #expect(again.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func issuedModeAndExpiry() async throws {
        let clock = ManualClock()
        try await SandboxHarness.with({
            $0.auth = .issued
            $0.tokenTTLSeconds = 4
            $0.now = clock.reader
        }) { harness in
            var sandbox = harness
            #expect(try await sandbox.create(SandboxHarness.valid()).status == 401)  // never issued: refused in issued mode
            let answer = try await sandbox.form("/common/oauth2/token", Self.password)
            #expect(answer.json["expires_in"] as? String == "4")
            sandbox.token = try #require(answer.json["access_token"] as? String)
            #expect(try await sandbox.create(SandboxHarness.valid()).status == 201)
            clock.advance(by: 3.9)
            #expect(try await sandbox.create(SandboxHarness.valid()).status == 201)
            clock.advance(by: 0.2)
            let expired = try await sandbox.create(SandboxHarness.valid())
            #expect(expired.status == 401 && expired.errorMessage.contains("expired"))
            #expect(await sandbox.server.allReferrals().count == 2)
        }
    }
}
