import Foundation
import Ledger

/// How progress is shown: redrawn in place on a terminal, a line every few seconds in logs, or not at all.
public enum ProgressStyle: Sendable { case bar, lines, none }

/// Progress for people: a line redrawn in place on a terminal, a plain log line every few seconds
/// otherwise (cron mail and CI logs stay readable). Only numbers are printed: nothing from a record.
final class SyncProgress {
    typealias Style = ProgressStyle

    private let style: Style
    private let started = Date()
    private var lastDraw = Date()
    /// Total input bytes and how far the reader is, for the ETA.
    var totalBytes: Int64 = 0
    var bytesDone: Int64 = 0

    init(style: Style) { self.style = style }

    func update(_ counts: RunCounts, force: Bool = false) {
        guard style != .none else { return }
        let now = Date()
        let interval: TimeInterval = style == .bar ? 0.25 : 10
        guard force || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(counts.read) / elapsed
        var line = "\(counts.read) records, \(Int(rate))/s, created \(counts.created), updated \(counts.updated), unchanged \(counts.unchanged), rejected \(counts.rejected), failed \(counts.failed)"
        let done = bytesDone
        if totalBytes > 0, done > 0, done < totalBytes {
            let remaining = elapsed * Double(totalBytes - done) / Double(done)
            line += String(format: ", %.0f%%, ETA %@", 100 * Double(done) / Double(totalBytes), Self.clock(remaining))
        }
        switch style {
        case .bar: FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        case .lines: FileHandle.standardError.write(Data((line + "\n").utf8))
        case .none: break
        }
    }

    func finish() {
        if style == .bar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func clock(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds < 1e7 else { return "--:--:--" }
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }
}
