import Foundation
import Testing

import Referrals

/// Writer vs `JSONEncoder`, printed, never asserted (timings on a shared 2-core machine are noise for
/// a test). Off by default; run with
/// `REFBRIDGE_BENCH=1 swift test -c release --filter ReferralJSONBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["REFBRIDGE_BENCH"] == "1"))
struct ReferralJSONBenchmark {
    @Test func writerAgainstJSONEncoder() throws {
        let referral = RichReferral.make()
        let rounds = 200_000
        var buffer: [UInt8] = []
        var total = 0
        let clock = ContinuousClock()
        let writer = clock.measure {
            for _ in 0..<rounds {
                buffer.removeAll(keepingCapacity: true)
                ReferralJSON.encode(referral, into: &buffer)
                total &+= buffer.count
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let codableRounds = rounds / 10
        var codableTotal = 0
        let codable = try clock.measure {
            for _ in 0..<codableRounds { codableTotal &+= try encoder.encode(referral).count }
        }
        func rate(_ count: Int, _ duration: Duration) -> Int {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return Int(Double(count) / seconds)
        }
        print("ReferralJSON writer: \(rate(rounds, writer)) referrals/s (\(buffer.count) bytes each, checksum \(total))")
        let seed = try ReferralJSON.decode(SeedExample.json("create-request.json"))
        let seedTime = clock.measure {
            for _ in 0..<rounds {
                buffer.removeAll(keepingCapacity: true)
                ReferralJSON.encode(seed, into: &buffer)
                total &+= buffer.count
            }
        }
        print("ReferralJSON writer, seed request: \(rate(rounds, seedTime)) referrals/s (\(buffer.count) bytes each)")
        print("JSONEncoder:         \(rate(codableRounds, codable)) referrals/s (\(codableTotal / codableRounds) bytes each)")
    }
}
