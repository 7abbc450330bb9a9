import Ledger

/// A chunk's settled records as the consumer of a run takes them: their report rows, rendered,
/// and their counts, made in the task that planned the chunk; and which steps need a call.
///
/// Planning runs in tasks of its own, ahead of the consumer, while the consumer handles every
/// record of a run in turn: rendering each row there (a dozen cells quoted and copied) was work
/// the whole run waited on, and so was taking each settled step in turn (a copy of its outcome,
/// its counts, a clock read). The consumer now appends each run of rows with one copy, adds the
/// counts once, and goes through the uploads alone; the files read as before, save that a
/// chunk's settled rows come before the rows of its uploads, which settle when their calls do.
struct ReportRows: Sendable {
    /// Where a row goes.
    enum File: Sendable { case success, errors }

    /// Consecutive settled rows for one file: `bytes[range]`.
    struct Run: Sendable {
        var file: File
        var range: Range<Int>
    }

    private(set) var bytes: [UInt8] = []
    /// The rows in step order, consecutive ones for the same file together.
    private(set) var runs: [Run] = []
    /// The settled steps' outcomes, counted (`read` is the stream's to count).
    private(set) var counts = RunCounts()
    /// Whether a settled step is a create or an update (found by reconciliation): like a call that
    /// worked, it ends a run of failed calls.
    var hasSuccess: Bool { counts.created + counts.updated > 0 }
    /// The records that need a call, in order.
    private(set) var uploads: [UploadWork] = []

    init() {}

    /// The rows and counts of every settled step, in order, and the uploads. Taking the steps,
    /// the outcomes are freed here, in the planning task, not by the consumer (0.2 s of a 500k
    /// nightly re-run there).
    init(steps: consuming [PlannedStep]) {
        // Most rows of a nightly run are under a hundred bytes.
        bytes.reserveCapacity(steps.count * 96)
        var details: DetailCell? = DetailCell()
        for step in steps {
            let outcome: RecordOutcome
            switch step {
            case .settled(let settled): outcome = settled
            case .upload(let work):
                uploads.append(work)
                continue
            }
            counts.add(outcome)
            let start = bytes.count
            let file = RunReport.render(outcome, into: &bytes, details: &details)
            if let last = runs.indices.last, runs[last].file == file {
                runs[last].range = runs[last].range.lowerBound..<bytes.count
            } else {
                runs.append(Run(file: file, range: start..<bytes.count))
            }
        }
    }
}
