import Testing
@testable import PartnerClient

/// ``LoadControl`` with made-up instants: no sleeping, nothing depends on the machine's speed.
struct LoadControlTests {
    typealias Instant = ContinuousClock.Instant
    let t0 = ContinuousClock.now

    func at(_ milliseconds: Int) -> Instant { t0 + .milliseconds(milliseconds) }

    /// Admits one request at `time`, which must be given a slot; returns its permit and send time.
    func send(_ control: inout LoadControl, at time: Instant) -> (AdaptiveLimiter.Permit, Instant) {
        guard case .admitted(let permit, let sendAt) = control.admit(at: time) else {
            Issue.record("not admitted at \(time - t0)")
            return (AdaptiveLimiter.Permit(generation: -1), time)
        }
        return (permit, sendAt)
    }

    /// `count` requests accepted, evenly spread over [from, to).
    func accept(_ control: inout LoadControl, count: Int, from: Int, to: Int) {
        for index in 0..<count {
            let time = at(from + (to - from) * index / count)
            let (permit, _) = send(&control, at: time)
            control.release(permit, outcome: .success, at: time)
        }
    }

    @Test func unthrottledSendersGoAtOnceUpToTheLimit() {
        var control = LoadControl(maximum: 2)
        let (first, firstAt) = send(&control, at: at(0))
        let (_, secondAt) = send(&control, at: at(0))
        #expect(firstAt == at(0) && secondAt == at(0))
        #expect(control.admit(at: at(1)) == .full)
        control.release(first, outcome: .success, at: at(2))
        #expect(control.inFlight == 1)
        #expect(control.pacedRate(at: at(2)) == nil)
    }

    @Test func serverErrorsAndUnavailableAnswersSlowNobody() {
        var control = LoadControl(maximum: 8)
        accept(&control, count: 50, from: 0, to: 500)
        for outcome in [AdaptiveLimiter.Outcome.neutral, .neutral, .neutral] {
            let (permit, _) = send(&control, at: at(600))
            #expect(control.release(permit, outcome: outcome, at: at(600)) == .none)
        }
        #expect(control.limit == 8)
        #expect(control.pausedUntil == nil)
        #expect(control.pacedRate(at: at(600)) == nil)
        #expect(control.admit(at: at(600)) == .admitted(AdaptiveLimiter.Permit(generation: 0), sendAt: at(600)))
    }

    @Test func a429PacesToTheRateTheAPIWasAcceptingWithoutPausing() {
        var control = LoadControl(maximum: 8)
        // 100 accepted in the last second, then a 429.
        accept(&control, count: 100, from: 0, to: 1000)
        let (permit, _) = send(&control, at: at(1000))
        let reaction = control.release(permit, outcome: .throttled(retryAfter: .seconds(1)), at: at(1000))
        guard case .cut(let rate) = reaction else {
            Issue.record("no cut: \(reaction)")
            return
        }
        // 99 in the window (the one at exactly 0 ms is out), paced at 90 % of that.
        #expect(abs(rate - 0.9 * 99) < 0.01)
        #expect(control.limit == 4)
        #expect(control.pausedUntil == nil)
        // The next senders are spaced 1/rate apart: no one waits the Retry-After.
        let (_, first) = send(&control, at: at(1000))
        let (_, second) = send(&control, at: at(1000))
        let (_, third) = send(&control, at: at(1000))
        #expect(first - at(1000) < .milliseconds(20))
        #expect(abs((second - first).inSeconds - 1 / rate) < 0.0005)
        #expect(abs((third - second).inSeconds - 1 / rate) < 0.0005)
    }

    @Test func atTheStartTheRateIsMeasuredOverTheTimeElapsed() {
        var control = LoadControl(maximum: 8)
        // 20 accepted in the first 200 ms: 100 per second, not 20.
        accept(&control, count: 20, from: 0, to: 200)
        let (permit, _) = send(&control, at: at(200))
        guard case .cut(let rate) = control.release(permit, outcome: .throttled(retryAfter: .seconds(1)), at: at(200)) else {
            Issue.record("no cut")
            return
        }
        #expect(rate > 0.9 * 90 && rate < 0.9 * 110)
    }

    @Test func slotsGivenBeforeACutStandSoTheCutSendsNoBurst() {
        var control = LoadControl(maximum: 32)
        accept(&control, count: 100, from: 0, to: 1000)
        let (first, _) = send(&control, at: at(1000))
        control.release(first, outcome: .throttled(retryAfter: .seconds(1)), at: at(1000))
        accept(&control, count: 10, from: 1500, to: 1600)
        // Paced: four slots taken at once are spread into the future.
        var slots: [Instant] = []
        for _ in 0..<4 { slots.append(send(&control, at: at(2000)).1) }
        #expect(slots[3] > at(2020))
        // A new burst cuts while those slots are still ahead.
        let (second, _) = send(&control, at: at(2001))
        guard case .cut = control.release(second, outcome: .throttled(retryAfter: .seconds(1)), at: at(2002)) else {
            Issue.record("no second cut")
            return
        }
        // The next slot comes after the ones already given, not at once beside them.
        let (_, next) = send(&control, at: at(2003))
        #expect(next > slots[3])
    }

    @Test func aBurstOf429sCutsOnce() {
        var control = LoadControl(maximum: 8)
        accept(&control, count: 50, from: 0, to: 500)
        var permits: [AdaptiveLimiter.Permit] = []
        for _ in 0..<8 { permits.append(send(&control, at: at(500)).0) }
        #expect(control.inFlight == 8)
        var reactions: [LoadControl.Reaction] = []
        for (index, permit) in permits.enumerated() {
            reactions.append(control.release(permit, outcome: .throttled(retryAfter: .seconds(1)), at: at(510 + index)))
        }
        #expect(reactions.filter { $0 != .none }.count == 1)
        #expect(control.limit == 4)
        #expect(control.inFlight == 0)
        // Sent after the cut but within the window: still the same burst.
        let (later, _) = send(&control, at: at(700))
        #expect(control.release(later, outcome: .throttled(retryAfter: .seconds(1)), at: at(700)) == .none)
        #expect(control.limit == 4)
        // Sent after the cut and throttled after the window: a new burst, a new cut.
        accept(&control, count: 10, from: 700, to: 1600)
        let (next, _) = send(&control, at: at(1600))
        guard case .cut = control.release(next, outcome: .throttled(retryAfter: .seconds(1)), at: at(1600)) else {
            Issue.record("no second cut")
            return
        }
        #expect(control.limit == 2)
    }

    @Test func aRequestSentBeforeTheCutNeverCutsAgain() {
        var control = LoadControl(maximum: 8)
        accept(&control, count: 10, from: 0, to: 100)
        let (early, _) = send(&control, at: at(100))
        let (first, _) = send(&control, at: at(100))
        _ = control.release(first, outcome: .throttled(retryAfter: nil), at: at(110))
        // Its answer comes long after the window: it still belongs to the burst that cut.
        #expect(control.release(early, outcome: .throttled(retryAfter: nil), at: at(5000)) == .none)
        #expect(control.limit == 4)
    }

    @Test func theLimitHalvesDownToOneAndGrowsBackByOnePerRound() {
        var control = LoadControl(maximum: 4, increaseAfter: 3)
        var time = 0
        for expected in [2, 1, 1] {
            accept(&control, count: 1, from: time, to: time + 1)
            let (permit, _) = send(&control, at: at(time + 10))
            control.release(permit, outcome: .throttled(retryAfter: nil), at: at(time + 10))
            #expect(control.limit == expected)
            time += 2000
        }
        for round in 1...9 {
            let (permit, _) = send(&control, at: at(time))
            control.release(permit, outcome: .success, at: at(time))
            #expect(control.limit == min(4, 1 + round / 3))
        }
    }

    @Test func thePaceGrowsWithAcceptedAnswersNotWithTimeAndEnds() {
        var settings = LoadControl.Settings()
        settings.growthPerAnswer = 0.25
        settings.paceFor = .seconds(10)
        var control = LoadControl(maximum: 8, settings: settings)
        accept(&control, count: 40, from: 0, to: 1000)
        let (permit, _) = send(&control, at: at(1000))
        control.release(permit, outcome: .throttled(retryAfter: .seconds(1)), at: at(1000))
        let start = control.pacedRate(at: at(1000)) ?? 0
        #expect(start > 0)
        // Time alone (every sender asleep) does not raise it.
        #expect(control.pacedRate(at: at(5000)) == start)
        accept(&control, count: 20, from: 5000, to: 6000)
        #expect(abs((control.pacedRate(at: at(6000)) ?? 0) - (start + 20 * 0.25)) < 1e-9)
        // A 503 or a dropped answer does not raise it either.
        let (failed, _) = send(&control, at: at(6000))
        control.release(failed, outcome: .neutral, at: at(6000))
        #expect(abs((control.pacedRate(at: at(6000)) ?? 0) - (start + 20 * 0.25)) < 1e-9)
        #expect(control.pacedRate(at: at(11_000)) == nil)
        // Unpaced again: senders go at once.
        #expect(control.admit(at: at(11_000)) == .admitted(AdaptiveLimiter.Permit(generation: 1), sendAt: at(11_000)))
    }

    @Test func a429WhenNothingGetsThroughPausesEverySenderForItsRetryAfter() {
        var control = LoadControl(maximum: 8)
        let (permit, _) = send(&control, at: at(0))
        let reaction = control.release(permit, outcome: .throttled(retryAfter: .seconds(5)), at: at(0))
        #expect(reaction == .pause(until: at(5000), cut: true))
        #expect(control.admit(at: at(4999)) == .paused(until: at(5000)))
        guard case .admitted = control.admit(at: at(5000)) else {
            Issue.record("still paused after the Retry-After")
            return
        }
        #expect(control.pausedUntil == nil)
    }

    @Test func aPauseIsNeverShortenedByALaterRetryAfter() {
        var control = LoadControl(maximum: 8)
        let (first, _) = send(&control, at: at(0))
        let (second, _) = send(&control, at: at(0))
        control.release(first, outcome: .throttled(retryAfter: .seconds(30)), at: at(0))
        control.release(second, outcome: .throttled(retryAfter: .seconds(1)), at: at(10))
        #expect(control.pausedUntil == at(30_000))
    }

    @Test func acceptedAnswersOlderThanTheWindowDoNotCount() {
        var control = LoadControl(maximum: 8)
        accept(&control, count: 100, from: 0, to: 1000)
        #expect(control.acceptedRate(at: at(1500)) > 45 && control.acceptedRate(at: at(1500)) < 55)
        #expect(control.acceptedRate(at: at(2001)) == 0)
    }

    @Test func anAbandonedSlotIsFreedWithoutAnAnswer() {
        var control = LoadControl(maximum: 1)
        let (permit, _) = send(&control, at: at(0))
        #expect(control.admit(at: at(0)) == .full)
        control.abandon(permit)
        #expect(control.inFlight == 0)
        #expect(control.limit == 1)
    }
}
