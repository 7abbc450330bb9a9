import Foundation

/// Decides, for each API request, whether it meets a fault or the throttle. Deterministic for a
/// given seed and request order.
actor FaultInjector {
    enum Fault: Equatable {
        case throttled(retryAfter: Int)
        case serverError
        case unavailable
        case dropAfterCreate
    }

    private let rate: Double
    private let mix: SandboxConfiguration.FaultMix
    private var random: SplitMix64
    private let throttle: Double?
    private let now: @Sendable () -> Date
    /// GCRA: the theoretical arrival time of the next request.
    private var theoreticalArrival = Date.distantPast

    init(configuration: SandboxConfiguration) {
        rate = configuration.faultRate
        mix = configuration.faultMix
        random = SplitMix64(seed: configuration.seed ?? UInt64.random(in: 0...UInt64.max))
        throttle = configuration.throttle
        now = configuration.now
    }

    /// The fault for this request, if any. `isCreate` allows the drop-after-create fault.
    func next(isCreate: Bool) -> Fault? {
        if let limit = throttle, limit > 0 {
            // A slower throttle than one request a day is one a day: the dates stay finite.
            let interval = min(1 / limit, 86_400)
            // A burst of up to a tenth of a second's worth of requests (at least one) is let through.
            let tolerance = max(interval, 0.1)
            let now = self.now()
            let arrival = max(theoreticalArrival, now)
            if arrival.timeIntervalSince(now) > tolerance {
                let wait = arrival.timeIntervalSince(now) - tolerance
                // Capped at a day: a throttle of 1e-300 per second means waits beyond any Int.
                return .throttled(retryAfter: Int(min(max(1, wait.rounded(.up)), 86_400)))
            }
            theoreticalArrival = arrival.addingTimeInterval(interval)
        }
        guard rate > 0, random.nextDouble() < rate else { return nil }
        var kinds: [(Fault, Double)] = [(.throttled(retryAfter: 1), mix.throttled), (.serverError, mix.serverError), (.unavailable, mix.unavailable)]
        if isCreate { kinds.append((.dropAfterCreate, mix.dropAfterCreate)) }
        let total = kinds.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return nil }
        var pick = random.nextDouble() * total
        for (fault, weight) in kinds {
            if pick < weight { return fault }
            pick -= weight
        }
        return kinds.last?.0
    }
}

/// A small, fast, seedable generator (Steele et al.), so fault sequences repeat across platforms.
/// Tests that need a repeatable random input use it too (`@testable import Sandbox`).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
