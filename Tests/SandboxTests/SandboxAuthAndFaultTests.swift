import Foundation
import Referrals
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import Sandbox

@Suite struct SandboxAuthTests {
    @Test func passwordGrantIssuesTokensWithNumbersAsStrings() async throws {
        var sandbox = try await SandboxHarness.start()
        let server = sandbox.server
        defer { Task { await server.shutdown() } }
        let answer = try await sandbox.form("/common/oauth2/token", [
            "grant_type": "password", "client_id": "app", "resource": "https://api.partner.microsoft.com",
            "username": "sandbox@example.com", "password": "sandbox", "scope": "openid",
        ])
        #expect(answer.status == 200)
        #expect(answer.json["expires_in"] as? String == "3600")
        #expect(answer.json["token_type"] as? String == "Bearer")
        let access = try #require(answer.json["access_token"] as? String)
        // Once tokens are issued, only issued tokens are accepted.
        #expect(try await sandbox.create(SandboxHarness.valid()).status == 401)
        sandbox.token = access
        #expect(try await sandbox.create(SandboxHarness.valid()).status == 201)
        let refreshed = try await sandbox.form("/common/oauth2/token", [
            "grant_type": "refresh_token", "client_id": "app", "refresh_token": answer.json["refresh_token"] as! String,
        ])
        #expect(refreshed.status == 200 && refreshed.json["access_token"] as? String != access)
        let bad = try await sandbox.form("/common/oauth2/token", [
            "grant_type": "password", "client_id": "app", "resource": "https://api.partner.microsoft.com", "username": "sandbox@example.com", "password": "wrong",
        ])
        #expect(bad.status == 400 && bad.json["error"] as? String == "invalid_grant")
    }

    @Test func deviceCodeFlowPendsThenIssues() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        let start = try await sandbox.form("/common/oauth2/devicecode", ["client_id": "app", "resource": "https://api.partner.microsoft.com"])
        let code = try #require(start.json["device_code"] as? String)
        #expect(start.json["user_code"] as? String != nil && start.json["interval"] as? String == "1")
        let pending = try await sandbox.form("/common/oauth2/token", ["grant_type": "device_code", "client_id": "app", "code": code])
        #expect(pending.json["error"] as? String == "authorization_pending")
        let done = try await sandbox.form("/common/oauth2/token", ["grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": "app", "device_code": code])
        #expect(done.status == 200 && done.json["refresh_token"] as? String != nil)
    }

    @Test func issuedTokensExpire() async throws {
        var sandbox = try await SandboxHarness.start {
            $0.auth = .issued
            $0.tokenTTLSeconds = 1
        }
        let server = sandbox.server
        defer { Task { await server.shutdown() } }
        #expect(try await sandbox.create(SandboxHarness.valid()).status == 401)
        let answer = try await sandbox.form("/common/oauth2/token", [
            "grant_type": "password", "client_id": "app", "resource": "https://api.partner.microsoft.com", "username": "sandbox@example.com", "password": "sandbox",
        ])
        sandbox.token = answer.json["access_token"] as! String
        #expect(try await sandbox.create(SandboxHarness.valid()).status == 201)
        try await Task.sleep(for: .milliseconds(1100))
        #expect(try await sandbox.create(SandboxHarness.valid()).status == 401)
    }
}

@Suite struct SandboxFaultTests {
    @Test func throttleAnswers429WithRetryAfter() async throws {
        let sandbox = try await SandboxHarness.start { $0.throttle = 2 }
        defer { Task { await sandbox.server.shutdown() } }
        var statuses: [Int] = []
        var retryAfter: String?
        for _ in 0..<6 {
            let answer = try await sandbox.request("GET", "/v1.0/engagements/referrals")
            statuses.append(answer.status)
            if answer.status == 429 { retryAfter = answer.header("Retry-After") }
        }
        #expect(statuses.contains(200) && statuses.contains(429))
        #expect(retryAfter.flatMap(Int.init) ?? 0 >= 1)
    }

    @Test func serverErrorAndUnavailableFaultsChangeNothing() async throws {
        let errors = try await SandboxHarness.start {
            $0.faultRate = 1
            $0.faultMix = .init(throttled: 0, serverError: 1, unavailable: 0, dropAfterCreate: 0)
        }
        defer { Task { await errors.server.shutdown() } }
        #expect(try await errors.create(SandboxHarness.valid()).status == 500)
        let unavailable = try await SandboxHarness.start {
            $0.faultRate = 1
            $0.faultMix = .init(throttled: 0, serverError: 0, unavailable: 1, dropAfterCreate: 0)
        }
        defer { Task { await unavailable.server.shutdown() } }
        let answer = try await unavailable.create(SandboxHarness.valid())
        #expect(answer.status == 503 && answer.header("Retry-After") == "1")
        #expect(await errors.server.allReferrals().isEmpty)
        #expect(await unavailable.server.allReferrals().isEmpty)
    }

    @Test func dropAfterCreateStoresButNeverAnswers() async throws {
        let sandbox = try await SandboxHarness.start {
            $0.faultRate = 1
            $0.faultMix = .init(throttled: 0, serverError: 0, unavailable: 0, dropAfterCreate: 1)
        }
        defer { Task { await sandbox.server.shutdown() } }
        await #expect(throws: (any Error).self) {
            _ = try await sandbox.create(SandboxHarness.valid("lost"))
        }
        let stored = await sandbox.server.allReferrals()
        #expect(stored.map(\.externalReferenceId) == ["lost"])
    }

    @Test func faultsRepeatWithTheSameSeed() async throws {
        func statuses(seed: UInt64) async throws -> [Int] {
            let sandbox = try await SandboxHarness.start {
                $0.faultRate = 0.5
                $0.seed = seed
                $0.faultMix = .init(throttled: 1, serverError: 1, unavailable: 1, dropAfterCreate: 0)
            }
            defer { Task { await sandbox.server.shutdown() } }
            var result: [Int] = []
            for _ in 0..<20 { result.append(try await sandbox.request("GET", "/v1.0/engagements/referrals").status) }
            return result
        }
        let first = try await statuses(seed: 42)
        #expect(first == (try await statuses(seed: 42)))
        #expect(Set(first).count > 1)
    }

    @Test func latencyDelaysAnswers() async throws {
        let sandbox = try await SandboxHarness.start { $0.latencyMilliseconds = 150 }
        defer { Task { await sandbox.server.shutdown() } }
        let clock = ContinuousClock()
        let elapsed = try await clock.measure { _ = try await sandbox.request("GET", "/v1.0/engagements/referrals") }
        #expect(elapsed >= .milliseconds(150))
    }

    @Test func dataFileKeepsStateAcrossRestarts() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID()).ndjson").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let first = try await SandboxHarness.start { $0.dataFile = file }
        let created = try #require(try await first.create(SandboxHarness.valid("kept")).referral)
        _ = try await first.request("PATCH", "/v1.0/engagements/referrals/\(created.id!)", body: try JSONSerialization.data(withJSONObject: [["op": "replace", "path": "/details/notes", "value": "after"]]))
        await first.server.shutdown()
        let second = try await SandboxHarness.start { $0.dataFile = file }
        defer { Task { await second.server.shutdown() } }
        let read = try await second.request("GET", "/v1.0/engagements/referrals/\(created.id!)")
        #expect(read.status == 200 && read.referral?.details?.notes == "after")
        #expect(await second.server.allReferrals().count == 1)
    }

    @Test func adminDumpListsEverything() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        for index in 0..<3 { _ = try await sandbox.create(SandboxHarness.valid("d\(index)")) }
        let dump = try await sandbox.request("GET", "/_sandbox/referrals", auth: false)
        #expect((dump.json["value"] as? [Any])?.count == 3)
        #expect(sandbox.server.requestCounts().create == 3)
    }
}
