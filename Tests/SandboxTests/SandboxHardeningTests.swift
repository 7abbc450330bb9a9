import Foundation
import Referrals
import Testing

@testable import Sandbox

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue #10 items 5 and 9: options and requests that crashed or held the sandbox.
@Suite struct SandboxHardeningTests {
    @Test func aSkipTokenWithTopIntMinIs400() async throws {
        try await SandboxHarness.with { sandbox in
            for index in 0..<3 { _ = try await sandbox.create(SandboxHarness.valid("t-\(index)")) }
            for (top, sent) in [(Int.min, 0), (5, Int.min), (-1, 0), (2, 3), (Int.max, Int.max)] {
                var forged = ListQuery()
                forged.top = top
                forged.sent = sent
                let token = forged.skipToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let answer = try await sandbox.request("GET", SandboxHarness.collection + "?$skiptoken=" + token)
                let consistent = top > 0 && sent >= 0 && sent <= top
                #expect(answer.status == (consistent ? 200 : 400), "top \(top) sent \(sent): \(answer.errorMessage)")
            }
            #expect(try await sandbox.list().status == 200)  // still serving
        }
    }

    @Test func aFilterOfFortyThousandParenthesesIsAClear400() async throws {
        try await SandboxHarness.with { sandbox in
            // Unencoded: `(` may stand in a query as it is, and 40 kB stay within the header limits.
            let answer = try await sandbox.request("GET", SandboxHarness.collection + "?$filter=" + String(repeating: "(", count: 40_000))
            #expect(answer.status == 400)
            #expect(answer.errorTarget == "$filter")
            #expect(answer.errorMessage.contains("nest deeper than"), "\(answer.errorMessage)")
            // Nesting within the limit still works.
            let nested = String(repeating: "(", count: 10) + "status eq 'New'" + String(repeating: ")", count: 10)
            #expect(try await sandbox.list("$filter=" + nested).status == 200)
        }
    }

    @Test func theFilterParserStopsAtItsDepthLimit() {
        #expect(throws: SandboxError.self) { try ListQuery.parse([("$filter", String(repeating: "(", count: 40_000))]) }
        // The fuzzer's finding (Fuzz/findings history): its first byte picked `$filter`, the rest is the filter.
        let found = String(decoding: Data(Self.fuzzFinding.utf8).dropFirst(), as: UTF8.self)
        #expect(throws: SandboxError.self) { try ListQuery.parse([("$filter", found)]) }
        let deep = String(repeating: "(", count: ListQuery.maxFilterDepth) + "status eq 'New'" + String(repeating: ")", count: ListQuery.maxFilterDepth)
        #expect((try? ListQuery.parse([("$filter", deep)]))?.filter.count == 1)
        #expect(throws: SandboxError.self) { try ListQuery.parse([("$filter", "(" + deep + ")")]) }
    }

    @Test func aThrottleOf1e300thPerSecondAnswers429WithABoundedRetryAfter() async throws {
        let clock = ManualClock()
        try await SandboxHarness.with({
            $0.throttle = 1e-300
            $0.now = clock.reader
        }) { sandbox in
            var statuses: [Int] = []
            var retryAfter: [String] = []
            for _ in 0..<4 {
                let answer = try await sandbox.list()
                statuses.append(answer.status)
                if let value = answer.header("Retry-After") { retryAfter.append(value) }
            }
            #expect(statuses.first == 200 && statuses.last == 429, "\(statuses)")
            #expect(retryAfter.allSatisfy { Int($0).map { (1...86_400).contains($0) } ?? false }, "\(retryAfter)")
        }
    }

    @Test func aTokenLifetimeOfIntMaxIsCutToTenYears() async throws {
        let clock = ManualClock()
        try await SandboxHarness.with({
            $0.tokenTTLSeconds = Int.max
            $0.now = clock.reader
        }) { sandbox in
            let answer = try await sandbox.form(
                "/common/oauth2/token",
                ["grant_type": "password", "client_id": "app", "resource": "https://api.partner.microsoft.com", "username": "sandbox@example.com", "password": "sandbox"])
            #expect(answer.status == 200)
            #expect(answer.json["expires_in"] as? String == String(SandboxConfiguration.longestTokenTTL))
        }
    }

    @Test func durationsParse() {
        #expect(SandboxConfiguration.seconds("14d") == Double(14 * 86_400))
        #expect(SandboxConfiguration.seconds("2h") == 7200)
        #expect(SandboxConfiguration.seconds("30m") == 1800)
        #expect(SandboxConfiguration.seconds("90s") == 90)
        #expect(SandboxConfiguration.seconds("500ms") == 0.5)
        #expect(SandboxConfiguration.seconds("45") == 45)
        for bad in ["", "d", "-1s", "1e300d", "inf", "nan", "two days"] {
            #expect(SandboxConfiguration.seconds(bad) == nil, "\(bad)")
        }
    }

    @Test func theDataFolderIsCreatedForItsOwnerOnly() async throws {
        let root = NSTemporaryDirectory() + "refbridge-mode-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/state/sandbox.ndjson"
        try await SandboxHarness.with({ $0.dataFile = file }) { sandbox in
            let status = try await sandbox.create(SandboxHarness.valid()).status
            #expect(status == 201)
        }
        let mode = (try FileManager.default.attributesOfItem(atPath: root + "/state")[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o700, "\(String(mode ?? -1, radix: 8))")
    }

    /// A connection that stops partway through its headers is closed after the idle timeout
    /// rather than held. The wait is for an event (the close), bounded only as a safety net.
    @Test func aConnectionWithPartialHeadersIsClosedAfterTheIdleTimeout() async throws {
        try await SandboxHarness.with({ $0.idleTimeoutSeconds = 0.2 }) { sandbox in
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #expect(descriptor >= 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(sandbox.server.port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(connected == 0)
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let partial = "GET /v1.0/engagements/referrals HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            _ = partial.withCString { send(descriptor, $0, strlen($0), 0) }
            var buffer = [UInt8](repeating: 0, count: 512)
            let read = recv(descriptor, &buffer, buffer.count, 0)
            #expect(read == 0, "expected the server to close the connection; recv returned \(read)")
            let after = try await sandbox.list().status
            #expect(after == 200)  // still serving
        }
    }

    /// The input libFuzzer found on 2026-12-01 (about 2,360 nested parentheses), byte for byte.
    static let fuzzFinding = "\u{0}" + "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((( ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((( ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((( ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("
}
