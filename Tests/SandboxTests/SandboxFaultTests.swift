import Foundation
import Referrals
import Testing

@testable import Sandbox

@Suite struct SandboxFaultTests {
    static func only(_ mix: SandboxConfiguration.FaultMix) -> (inout SandboxConfiguration) -> Void {
        { configuration in
            configuration.faultRate = 1
            configuration.seed = 7
            configuration.faultMix = mix
        }
    }

    @Test func throttleAnswers429WithRetryAfter() async throws {
        // One request per 5 s with a 5 s burst, on a clock that moves only when the test moves it.
        let clock = ManualClock()
        try await SandboxHarness.with({
            $0.throttle = 0.2
            $0.now = clock.reader
        }) { sandbox in
            var statuses: [Int] = []
            var retryAfter: [String] = []
            for _ in 0..<6 {
                let answer = try await sandbox.list()
                statuses.append(answer.status)
                if answer.status == 429 {
                    retryAfter.append(answer.header("Retry-After") ?? "")
                    #expect(answer.errorCode == "throttled")
                }
            }
            #expect(statuses == [200, 200, 429, 429, 429, 429])
            #expect(retryAfter == ["5", "5", "5", "5"])  // refused requests do not use up the allowance
            #expect(sandbox.server.requestCounts().list == 6)  // throttled requests still count as calls
            // Once the time it named has passed, one more request goes through, and only one.
            clock.advance(by: 5)
            #expect(try await sandbox.list().status == 200)
            #expect(try await sandbox.list().status == 429)
        }
    }

    @Test func serverErrorFaultChangesNothing() async throws {
        try await SandboxHarness.with(Self.only(.init(throttled: 0, serverError: 1, unavailable: 0, dropAfterCreate: 0))) { sandbox in
            let answer = try await sandbox.create(SandboxHarness.valid())
            #expect(answer.status == 500 && answer.errorCode == "generalException")
            #expect(try await sandbox.list().status == 500)
            #expect(await sandbox.server.allReferrals().isEmpty)
        }
    }

    @Test func unavailableFaultSays503WithRetryAfter() async throws {
        try await SandboxHarness.with(Self.only(.init(throttled: 0, serverError: 0, unavailable: 1, dropAfterCreate: 0))) { sandbox in
            let answer = try await sandbox.create(SandboxHarness.valid())
            #expect(answer.status == 503 && answer.header("Retry-After") == "1" && answer.errorCode == "serviceNotAvailable")
            #expect(await sandbox.server.allReferrals().isEmpty)
        }
    }

    @Test func throttledFaultSays429WithRetryAfter() async throws {
        try await SandboxHarness.with(Self.only(.init(throttled: 1, serverError: 0, unavailable: 0, dropAfterCreate: 0))) { sandbox in
            let answer = try await sandbox.create(SandboxHarness.valid())
            #expect(answer.status == 429 && answer.header("Retry-After") == "1")
            #expect(await sandbox.server.allReferrals().isEmpty)
        }
    }

    @Test func dropAfterCreateStoresButNeverAnswers() async throws {
        try await SandboxHarness.with(Self.only(.init(throttled: 0, serverError: 0, unavailable: 0, dropAfterCreate: 1))) { sandbox in
            await #expect(throws: (any Error).self) {
                _ = try await sandbox.create(SandboxHarness.valid("lost"))
            }
            let stored = await sandbox.server.allReferrals()
            #expect(stored.map(\.externalReferenceId) == ["lost"])
            #expect(sandbox.server.requestCounts().create == 1)  // no silent retry made a second one
            // Other requests cannot be dropped: with only this fault in the mix, a GET goes through.
            let listed = try await sandbox.list()
            #expect(listed.status == 200 && listed.value.count == 1)
        }
    }

    @Test func faultsRepeatWithTheSameSeed() async throws {
        func statuses(seed: UInt64) async throws -> [Int] {
            var result: [Int] = []
            try await SandboxHarness.with({
                $0.faultRate = 0.5
                $0.seed = seed
            }) { sandbox in
                for _ in 0..<30 { result.append(try await sandbox.list().status) }
            }
            return result
        }
        let first = try await statuses(seed: 42)
        #expect(first == (try await statuses(seed: 42)))
        #expect(first != (try await statuses(seed: 43)))
        // About half meet a fault, split among 429, 500 and 503 (a GET cannot be dropped).
        #expect(Set(first) == [200, 429, 500, 503], "\(first)")
    }

    @Test func faultRateZeroNeverFaults() async throws {
        try await SandboxHarness.with({ $0.seed = 1 }) { sandbox in
            var statuses: [Int] = []
            for _ in 0..<20 { statuses.append(try await sandbox.list().status) }
            #expect(statuses == Array(repeating: 200, count: 20))
        }
    }

    @Test func latencyDelaysAnswers() async throws {
        // The waits are recorded, not timed: nothing here depends on the machine's speed.
        let waits = WaitRecorder()
        try await SandboxHarness.with({
            $0.latencyMilliseconds = 150
            $0.sleep = { waits.add($0) }
        }) { sandbox in
            _ = try await sandbox.list()
            _ = try await sandbox.create(SandboxHarness.valid())
            #expect(waits.all == [.milliseconds(150), .milliseconds(150)])
        }
    }

    final class WaitRecorder: @unchecked Sendable {
        private let lock = NSLock()
        private var waits: [Duration] = []
        func add(_ wait: Duration) { lock.withLock { waits.append(wait) } }
        var all: [Duration] { lock.withLock { waits } }
    }
}
