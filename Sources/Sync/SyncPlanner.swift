import Ledger

/// What the job does with one mapped record, decided from the ledger alone (no I/O).
enum PlannedAction: Equatable, Sendable {
    /// Never created, or a create that reconciliation did not find: POST it (with its stable request id).
    case create
    /// Created before, but the connected referral of its shared engagement is still missing.
    case finishConnected(thenUpdate: Bool)
    /// Created before and the mapped payload changed: PATCH the changed fields.
    case update
    /// Same payload as last time: no API call.
    case unchanged
    /// The mapped payload changed, but the run creates only.
    case changedButCreateOnly
    /// The referral is Closed on the server side: never touched again.
    case closed
    /// The API rejected this exact payload before; sending it again would be rejected again.
    case rejectedBefore(reason: String)
}

struct SyncPlanner: Sendable {
    var mode: JobConfiguration.Upload.Mode

    func plan(payloadHash: String, isShared: Bool, entry: LedgerEntry?) -> PlannedAction {
        guard let entry else { return .create }
        guard let _ = entry.referralId else {
            // Rejected by the API with this same payload: report it again without a call.
            if entry.state == .rejected, entry.payloadHash == payloadHash {
                return .rejectedBefore(reason: entry.lastError ?? "rejected by the API")
            }
            return .create
        }
        let changed = entry.payloadHash != payloadHash
        if entry.status == "Closed" { return .closed }
        if isShared, entry.connectedReferralId == nil {
            return .finishConnected(thenUpdate: changed && mode == .sync)
        }
        if !changed { return .unchanged }
        return mode == .sync ? .update : .changedButCreateOnly
    }
}
