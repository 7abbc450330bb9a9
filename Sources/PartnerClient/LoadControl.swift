/// The decisions behind ``AdaptiveLimiter``, with time passed in: no clock, no waiting, so every
/// rule is tested with made-up instants.
///
/// Answers say different things about load:
///
/// - **429** is about the whole client (it sends faster than the API allows) once 429s are more
///   than a stray: at least `cutCount` of them, and at least `cutShare` of the answers, over the
///   last `window`. A stray 429 (an API's hiccup, or the sandbox's injected faults) only holds its
///   own request for its `Retry-After`: cutting the whole client on each would ratchet it down to
///   a crawl, since a multiplicative cut every few hundred answers outweighs any growth.
/// - The 429 that makes the share cuts once: the concurrency limit halves, and sending is paced a
///   little under (`paceShare`) the rate the API accepted over the last `window`. A rate limiter
///   caps what it accepts at its rate however fast we send, so that measured rate is the API's
///   rate, not half of it; pacing runs the client just under it instead of stopping and starting,
///   and the margin keeps 429s rare: each one holds its request for a whole `Retry-After`. Later
///   429s of the same burst (within `window` of the cut, or from requests sent before it) change
///   nothing.
/// - A 429 while nothing at all was accepted over the last `window` means the API wants a break,
///   not a slower pace: every sender waits for its `Retry-After`.
/// - **503, 500, a dropped answer** say nothing about our rate: only that request waits (its own
///   backoff and `Retry-After`, see ``RetryRules``); the others carry on.
/// - Paced, every accepted answer raises the pace by `growthPerAnswer` requests per second: at a
///   pace of *r*, *r* answers a second raise it by a tenth (by default) each second, compounding,
///   so a cut does not slow a run for long and a raised limit is found. Faster growth finds the
///   limit again sooner but overshoots it further: more 429s, each holding a request. Growth comes
///   from answers, not from time, so a pause (every sender asleep on a `Retry-After`) does not
///   leave the pace far above what was measured. Pacing ends `paceFor` after the last cut.
/// - The concurrency limit grows by one after as many successes in a row as the limit (about one
///   round of requests), up to `maximum`, as TCP's AIMD does.
struct LoadControl: Sendable {
    typealias Instant = ContinuousClock.Instant

    struct Settings: Sendable, Hashable {
        /// The span the accepted rate is measured over; also how long a burst of 429s lasts.
        var window: Duration = .seconds(1)
        /// Requests per second the pace grows by with each accepted answer.
        var growthPerAnswer = 0.1
        /// Pacing ends this long after the last cut.
        var paceFor: Duration = .seconds(15)
        /// 429s needed over the last `window` for a cut, in number and as a share of the answers.
        var cutCount = 3
        var cutShare = 0.05
        /// The pace after a cut, as a share of the rate the API was accepting.
        var paceShare = 0.9
        /// Never paced slower than this, in requests per second.
        var minimumRate = 0.1
        /// At the start of a run the rate is measured over the time elapsed, but at least this.
        var shortestMeasure: Duration = .milliseconds(100)

        init() {}
    }

    /// What a sender may do now.
    enum Admission: Equatable {
        /// Every sender waits until then.
        case paused(until: Instant)
        /// Every slot is taken: wait for a release.
        case full
        /// A slot is the sender's; it sends at `sendAt` (now, or later while paced).
        case admitted(AdaptiveLimiter.Permit, sendAt: Instant)
    }

    /// What a 429 did, for logs and tests.
    enum Reaction: Equatable {
        /// Part of a burst that has already cut.
        case none
        /// Concurrency halved and the pace set to this many requests per second.
        case cut(rate: Double)
        /// Nothing was accepted lately: every sender waits until then (and a cut, if new).
        case pause(until: Instant, cut: Bool)
    }

    let maximum: Int
    let settings: Settings
    private let increaseAfter: Int?
    private(set) var limit: Int
    private(set) var inFlight = 0
    private(set) var pausedUntil: Instant?
    private(set) var generation = 0
    private var successes = 0
    private var lastCut: Instant?
    private var pace: Double?
    private var nextSendAt: Instant?
    private var firstAdmission: Instant?
    private var accepted: RecentEvents
    private var throttled: RecentEvents

    init(maximum: Int, increaseAfter: Int? = nil, settings: Settings = Settings()) {
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.increaseAfter = increaseAfter.map { max(1, $0) }
        self.settings = settings
        accepted = RecentEvents(window: settings.window)
        throttled = RecentEvents(window: settings.window)
    }

    /// Requests per second the client is paced to at `now`; nil when it is not paced.
    func pacedRate(at now: Instant) -> Double? {
        guard let pace, let lastCut, now - lastCut < settings.paceFor else { return nil }
        return pace
    }

    /// Accepted answers per second over the last `window` (or since the first request, if sooner).
    func acceptedRate(at now: Instant) -> Double {
        let count = accepted.count(at: now)
        guard count > 0 else { return 0 }
        var span = settings.window
        if let first = firstAdmission, now - first < span { span = max(now - first, settings.shortestMeasure) }
        return Double(count) / max(span.inSeconds, 1e-3)
    }

    mutating func admit(at now: Instant) -> Admission {
        if let until = pausedUntil {
            if until > now { return .paused(until: until) }
            pausedUntil = nil
        }
        guard inFlight < limit else { return .full }
        inFlight += 1
        if firstAdmission == nil { firstAdmission = now }
        var sendAt = now
        if let rate = pacedRate(at: now) {
            sendAt = max(now, nextSendAt ?? now)
            nextSendAt = sendAt + .seconds(1 / max(rate, settings.minimumRate))
        } else {
            pace = nil
            nextSendAt = nil
        }
        return .admitted(AdaptiveLimiter.Permit(generation: generation), sendAt: sendAt)
    }

    /// Gives a slot back without an answer (the sender was cancelled before sending).
    mutating func abandon(_ permit: AdaptiveLimiter.Permit) {
        inFlight = max(0, inFlight - 1)
    }

    @discardableResult
    mutating func release(_ permit: AdaptiveLimiter.Permit, outcome: AdaptiveLimiter.Outcome, at now: Instant) -> Reaction {
        inFlight = max(0, inFlight - 1)
        switch outcome {
        case .success:
            accepted.note(at: now)
            if let current = pace { pace = current + max(0, settings.growthPerAnswer) }
            successes += 1
            if successes >= (increaseAfter ?? limit), limit < maximum {
                limit += 1
                successes = 0
            }
            return .none
        case .neutral:
            return .none
        case .throttled(let retryAfter):
            throttled.note(at: now)
            let rate = acceptedRate(at: now)
            let refused = throttled.count(at: now)
            let answers = refused + accepted.count(at: now)
            let overTheRate = refused >= settings.cutCount && Double(refused) >= settings.cutShare * Double(answers)
            let sentBeforeTheCut = permit.generation != generation
            let withinTheBurst = lastCut.map { now - $0 < settings.window } ?? false
            let cuts = overTheRate && !sentBeforeTheCut && !withinTheBurst
            var newPace = 0.0
            if cuts {
                successes = 0
                generation += 1
                lastCut = now
                limit = max(1, limit / 2)
                if rate > 0 {
                    // Slots already given out stand (`nextSendAt` is kept): starting the new pace
                    // from now would send them and the new ones together, a burst of 429s.
                    newPace = max(settings.minimumRate, rate * settings.paceShare)
                    pace = newPace
                }
            }
            if rate == 0, let retryAfter, retryAfter > .zero {
                let until = now + retryAfter
                if pausedUntil.map({ until > $0 }) ?? true { pausedUntil = until }
                return .pause(until: pausedUntil ?? until, cut: cuts)
            }
            return cuts ? .cut(rate: newPace) : .none
        }
    }
}
