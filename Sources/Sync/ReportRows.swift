import Ledger

/// The report rows of a chunk's settled records, rendered in the task that planned the chunk.
///
/// Planning runs in tasks of its own, ahead of the consumer, while the consumer handles every
/// record of a run in turn: rendering each row there (a dozen cells quoted and copied) was work
/// the whole run waited on. The consumer now copies each row's bytes, in step order, so the files
/// read exactly as before.
struct ReportRows: Sendable {
    /// Where a row goes.
    enum File: Sendable { case success, errors }

    /// One settled step's row: `bytes[start..<end]`, for `file`.
    struct Row: Sendable {
        var file: File
        var start: Int
        var end: Int
    }

    private(set) var bytes: [UInt8] = []
    /// By step: its row, or nil for an upload (its row is rendered when it settles).
    private var rows: [Row?] = []

    init() {}

    /// The rows of every settled step, in order.
    init(steps: [PlannedStep]) {
        rows.reserveCapacity(steps.count)
        // Most rows of a nightly run are under a hundred bytes.
        bytes.reserveCapacity(steps.count * 96)
        var details: DetailCell? = DetailCell()
        for step in steps {
            guard case .settled(let outcome) = step else {
                rows.append(nil)
                continue
            }
            let start = bytes.count
            let file = RunReport.render(outcome, into: &bytes, details: &details)
            rows.append(Row(file: file, start: start, end: bytes.count))
        }
    }

    /// The row of step `index`; nil for an upload, or when no row was rendered.
    func row(_ index: Int) -> Row? {
        index < rows.count ? rows[index] : nil
    }
}
