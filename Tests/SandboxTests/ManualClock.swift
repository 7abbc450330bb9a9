import Foundation

/// A clock that moves only when a test moves it, for `SandboxConfiguration.now`: what a test
/// asserts about the throttle or token lifetimes then holds however slow the machine is.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_764_000_000)) { current = start }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(by seconds: TimeInterval) {
        lock.lock()
        current.addTimeInterval(seconds)
        lock.unlock()
    }

    /// The closure the sandbox reads.
    var reader: @Sendable () -> Date { { [self] in now } }
}
