import Foundation
import Referrals

/// A create whose outcome is unknown (the request may have reached the server): it is looked for by
/// listing before it is ever sent again.
struct UncertainCreate: Sendable {
    enum Step: Sendable { case primary, connected }

    var system: String
    var externalId: String
    var step: Step
    var requestId: String
    /// When the attempt began, by our clock.
    var since: Date
    /// The body to send again if listing does not find it; nil when only the ledger knows the record
    /// (start-of-run reconciliation), in which case the main pass re-sends it from the source.
    var body: Referral?
    /// The primary's engagement, for a connected step.
    var engagementId: String?
    var source: String
    var payloadHash: String?
    var lastError: String
}
