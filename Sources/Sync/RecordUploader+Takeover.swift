import Foundation
import Ledger
import Logging
import Referrals

extension RecordUploader {
    /// What listing found for a create taken over from another worker.
    struct Lookup {
        /// The referral the server has for it, if any.
        var referral: Referral?
        var requestId: String
    }

    /// Lists the API for one create another worker left pending (the same search as the
    /// start-of-run reconciliation). Nil when the listing failed: then nothing may be sent.
    func lookFor(_ entry: LedgerEntry, work: UploadWork) async -> Lookup? {
        let requestId = entry.requestId ?? Self.newRequestId()
        let item = UncertainCreate(
            key: work.key, step: .primary, requestId: requestId, since: entry.pendingSince ?? Date(), work: work, source: work.source,
            payloadHash: work.payloadHash, lastError: entry.lastError ?? "")
        var listCalls = 0
        defer { calls.add(listCalls) }
        do {
            let (found, _) = try await Reconciler(client: client, logger: Logger(label: "refbridge.sync")).reconcile([item], calls: &listCalls)
            return Lookup(referral: found.first?.referral, requestId: requestId)
        } catch {
            return nil
        }
    }
}
