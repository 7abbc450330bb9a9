/// When something happened lately: the times of events within the last `window`, oldest first.
struct RecentEvents: Sendable {
    typealias Instant = ContinuousClock.Instant

    let window: Duration
    private var times: [Instant] = []
    private var head = 0

    init(window: Duration) {
        self.window = window
    }

    mutating func note(at now: Instant) {
        times.append(now)
        let since = now - window
        while head < times.count, times[head] <= since { head += 1 }
        // Forget what slid out of the window, now and then rather than on every event.
        if head > 4096, head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
    }

    /// Events in (now − window, now].
    func count(at now: Instant) -> Int {
        let since = now - window
        var count = 0
        for time in times[head...] where time > since && time <= now { count += 1 }
        return count
    }
}
