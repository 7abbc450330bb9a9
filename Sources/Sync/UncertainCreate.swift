import Foundation
import Pipeline
import Referrals

/// A create whose outcome is unknown (the request may have reached the server): it is looked for by
/// listing before it is ever sent again.
struct UncertainCreate: Sendable {
    enum Step: Sendable { case primary, connected }

    var key: RecordKey
    var step: Step
    var requestId: String
    /// When the attempt began, by our clock.
    var since: Date
    /// The record as mapped, to send again if listing does not find it; nil when only the ledger
    /// knows the record (start-of-run reconciliation): then the main pass sends it from the source.
    var work: UploadWork?
    /// The primary referral, for a connected step.
    var primaryReferralId: String?
    var engagementId: String?
    var source: String
    var payloadHash: String?
    var lastError: String
}
