import Testing
@testable import PartnerClient

/// ``LoadControl`` with made-up instants: no sleeping, nothing depends on the machine's speed.
struct LoadControlTests {
    typealias Instant = ContinuousClock.Instant
    typealias Permit = AdaptiveLimiter.Permit
    let t0 = ContinuousClock.now

    func at(_ milliseconds: Int) -> Instant { t0 + .milliseconds(milliseconds) }

    /// Admits one request at `time`, which must be given a slot; returns its permit and send time.
    func send(_ control: inout LoadControl, at time: Instant) -> (Permit, Instant) {
        guard case .admitted(let permit, let sendAt) = control.admit(at: time) else {
            Issue.record("not admitted at \(time - t0)")
            return (Permit(generation: -1), time)
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

    /// Requests sent and refused with 429 one after the other from `time`, 1 ms apart, until one
    /// cuts (at most `limit`); returns the reactions.
    @discardableResult
    func throttleUntilCut(_ control: inout LoadControl, at time: Int, limit: Int = 50) -> [LoadControl.Reaction] {
        var reactions: [LoadControl.Reaction] = []
        for index in 0..<limit {
            let (permit, _) = send(&control, at: at(time + index))
            let reaction = control.release(permit, outcome: .throttled(retryAfter: .seconds(1)), at: at(time + index))
            reactions.append(reaction)
            if case .cut = reaction { break }
        }
        return reactions
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
        for _ in 0..<10 {
            let (permit, _) = send(&control, at: at(600))
            #expect(control.release(permit, outcome: .neutral, at: at(600)) == .none)
        }
        #expect(control.limit == 8)
        #expect(control.pausedUntil == nil)
        #expect(control.pacedRate(at: at(600)) == nil)
        #expect(control.admit(at: at(600)) == .admitted(Permit(generation: 0), sendAt: at(600)))
    }

    @Test func stray429sAmongManyAnswersSlowNobodyButTheirOwnRequest() {
        // 200 answers a second for five seconds, one in a hundred a 429 (the soak's fault mix):
        // cutting on each would ratchet the client down to a crawl.
        var control = LoadControl(maximum: 8)
        for index in 0..<1000 {
            let time = at(index * 5)
            let (permit, _) = send(&control, at: time)
            let outcome: AdaptiveLimiter.Outcome = index % 100 == 99 ? .throttled(retryAfter: .seconds(1)) : .success
            #expect(control.release(permit, outcome: outcome, at: time) == .none)
        }
        #expect(control.limit == 8)
        #expect(control.pacedRate(at: at(5000)) == nil)
        #expect(control.pausedUntil == nil)
    }

    @Test func throttlesOverTheShareCutOnceToARateJustUnderWhatWasAccepted() {
        var control = LoadControl(maximum: 8)
        // 100 accepted in the last second, then 429s: the sixth makes 5 % of the answers (three
        // would do among fewer answers).
        accept(&control, count: 100, from: 0, to: 1000)
        let reactions = throttleUntilCut(&control, at: 1000)
        #expect(reactions.count == 6)
        guard case .cut(let rate) = reactions.last else {
            Issue.record("no cut: \(reactions)")
            return
        }
        // 99 accepted in the window (the one at exactly 0 ms is out), paced at 90 % of that.
        #expect(abs(rate - 0.9 * 99) < 0.01)
        #expect(control.limit == 4)
        #expect(control.pausedUntil == nil)
        // The next senders are spaced 1/rate apart: no one waits the Retry-After.
        let (_, first) = send(&control, at: at(1010))
        let (_, second) = send(&control, at: at(1010))
        let (_, third) = send(&control, at: at(1010))
        #expect(first - at(1010) < .milliseconds(20))
        #expect(abs((second - first).inSeconds - 1 / rate) < 0.0005)
        #expect(abs((third - second).inSeconds - 1 / rate) < 0.0005)
    }

    @Test func atTheStartTheRateIsMeasuredOverTheTimeElapsed() {
        var control = LoadControl(maximum: 8)
        // 20 accepted in the first 200 ms: 100 per second, not 20.
        accept(&control, count: 20, from: 0, to: 200)
        guard case .cut(let rate) = throttleUntilCut(&control, at: 200).last else {
            Issue.record("no cut")
            return
        }
        #expect(rate > 0.9 * 90 && rate < 0.9 * 110)
    }

    @Test func slotsGivenBeforeACutStandSoTheCutSendsNoBurst() {
        var control = LoadControl(maximum: 64)
        accept(&control, count: 100, from: 0, to: 1000)
        throttleUntilCut(&control, at: 1000)
        accept(&control, count: 10, from: 1500, to: 1600)
        // Paced: four slots taken at once are spread into the future.
        var slots: [Instant] = []
        for _ in 0..<4 { slots.append(send(&control, at: at(2100)).1) }
        #expect(slots[3] > at(2120))
        // A new burst cuts while those slots are still ahead.
        guard case .cut = throttleUntilCut(&control, at: 2101).last else {
            Issue.record("no second cut")
            return
        }
        // The next slot comes after the ones already given, not at once beside them.
        let (_, next) = send(&control, at: at(2110))
        #expect(next > slots[3])
    }

    @Test func aBurstOf429sCutsOnce() {
        var control = LoadControl(maximum: 8)
        accept(&control, count: 50, from: 0, to: 500)
        var permits: [Permit] = []
        for _ in 0..<8 { permits.append(send(&control, at: at(500)).0) }
        #expect(control.inFlight == 8)
        var reactions: [LoadControl.Reaction] = []
        for (index, permit) in permits.enumerated() {
            reactions.append(control.release(permit, outcome: .throttled(retryAfter: .seconds(1)), at: at(510 + index)))
        }
        #expect(reactions.filter { $0 != .none }.count == 1)
        #expect(control.limit == 4)
        #expect(control.inFlight == 0)
        // Sent after the cut but refused within the window: still the same burst.
        #expect(throttleUntilCut(&control, at: 700, limit: 5).allSatisfy { $0 == .none })
        #expect(control.limit == 4)
        // Sent after the cut and refused after the window: a new burst, a new cut.
        accept(&control, count: 10, from: 800, to: 1600)
        let before = control.limit
        guard case .cut = throttleUntilCut(&control, at: 1600).last else {
            Issue.record("no second cut")
            return
        }
        #expect(control.limit == before / 2)
    }

    @Test func requestsSentBeforeTheCutNeverCutAgain() {
        var control = LoadControl(maximum: 8)
        accept(&control, count: 10, from: 0, to: 100)
        let early = (0..<3).map { _ in send(&control, at: at(100)).0 }
        throttleUntilCut(&control, at: 110)
        #expect(control.limit == 4)
        // Their answers come long after the window, all 429s, enough for a cut: they still belong
        // to the burst that cut.
        for (index, permit) in early.enumerated() {
            #expect(control.release(permit, outcome: .throttled(retryAfter: nil), at: at(5000 + index)) == .none)
        }
        #expect(control.limit == 4)
    }

    @Test func theLimitHalvesDownToOneAndGrowsBackByOnePerRound() {
        var control = LoadControl(maximum: 4, increaseAfter: 3)
        var time = 0
        for expected in [2, 1, 1] {
            accept(&control, count: 1, from: time, to: time + 1)
            throttleUntilCut(&control, at: time + 10)
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
        throttleUntilCut(&control, at: 1000)
        let start = control.pacedRate(at: at(1010)) ?? 0
        #expect(start > 0)
        // Time alone (every sender asleep) does not raise it.
        #expect(control.pacedRate(at: at(5000)) == start)
        accept(&control, count: 20, from: 5000, to: 6000)
        #expect(abs((control.pacedRate(at: at(6000)) ?? 0) - (start + 20 * 0.25)) < 1e-9)
        // A 503 or a dropped answer does not raise it either.
        let (failed, _) = send(&control, at: at(6000))
        control.release(failed, outcome: .neutral, at: at(6000))
        #expect(abs((control.pacedRate(at: at(6000)) ?? 0) - (start + 20 * 0.25)) < 1e-9)
        #expect(control.pacedRate(at: at(11_100)) == nil)
        // Unpaced again: senders go at once.
        #expect(control.admit(at: at(11_100)) == .admitted(Permit(generation: 1), sendAt: at(11_100)))
    }

    @Test func a429WhenNothingGetsThroughPausesEverySenderForItsRetryAfter() {
        var control = LoadControl(maximum: 8)
        let (permit, _) = send(&control, at: at(0))
        let reaction = control.release(permit, outcome: .throttled(retryAfter: .seconds(5)), at: at(0))
        #expect(reaction == .pause(until: at(5000), cut: false))
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
