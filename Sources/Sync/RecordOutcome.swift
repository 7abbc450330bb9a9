import Ledger
import Pipeline

/// How one record ended in a run: what the counts, the reports and the progress line read.
struct RecordOutcome: Sendable {
    enum Kind: String, Sendable {
        case created, updated, unchanged, skipped, rejected, failed
    }

    var kind: Kind
    var externalId: String?
    /// Where the record is in its file (`leads.csv:record 12 (line 14)`).
    var source: String
    var referralId: String? = nil
    var engagementId: String? = nil
    var connectedReferralId: String? = nil
    /// Created in fact, but found by listing after its answer was lost (never sent twice).
    var reconciled = false
    /// Unchanged because a change was left alone (a Closed referral, a create-only run).
    var notUpdated = false
    /// Rejected because its id came earlier in the input.
    var duplicate = false
    /// For people: a note on a success, the reason for a skip, a reject or a failure.
    var detail = ""
    /// A failure that says the API itself is unusable: enough of them in a row stop the run.
    var abortsRun = false

    /// The outcome of a record the stream already settled (skipped or rejected before any planning).
    init(kind: Kind, externalId: String?, source: String, detail: String) {
        self.kind = kind
        self.externalId = externalId
        self.source = source
        self.detail = detail
    }
}

/// What an upload task hands back: a settled record, or a create whose answer was lost.
enum UploadResult: Sendable {
    case settled(RecordOutcome)
    case uncertain(UncertainCreate)
}

extension RunCounts {
    /// Adds counts made elsewhere (`ReportRows`), `read` aside: the stream counts what it reads.
    mutating func add(_ other: RunCounts) {
        created += other.created
        updated += other.updated
        unchanged += other.unchanged
        skipped += other.skipped
        rejected += other.rejected
        failed += other.failed
        reconciled += other.reconciled
        duplicates += other.duplicates
        notUpdated += other.notUpdated
    }

    /// Counts one record's outcome: the one place the counters move.
    mutating func add(_ outcome: RecordOutcome) {
        switch outcome.kind {
        case .created:
            created += 1
            if outcome.reconciled { reconciled += 1 }
        case .updated: updated += 1
        case .unchanged:
            unchanged += 1
            if outcome.notUpdated { notUpdated += 1 }
        case .skipped: skipped += 1
        case .rejected:
            rejected += 1
            if outcome.duplicate { duplicates += 1 }
        case .failed: failed += 1
        }
    }
}
