public import Ledger
public import Mapping

/// What the ledger keeps in `sourceMapsTo`: the payload hash a content mapped to, or for content
/// the mapping rejected, a mark with the reason's hash (so that a `lastError` written since, by
/// the API or a failed call, is told apart from the mapping's reason).
public enum SourceMapsTo {
    public static func mapped(payloadHash: String) -> String { payloadHash }

    public static func rejected(reason: String) -> String {
        var digest = Digest128()
        digest.add(reason)
        return "rejected:" + digest.digest.hex
    }
}

extension PlanningEntry {
    /// How this entry settles a record whose source content has `digest` without mapping it, or nil
    /// when the record must be mapped: the entry must hold what that content mapped to, and leave
    /// nothing to send.
    ///
    /// - Mapped to the entry's payload, with the referral created and nothing left of a shared
    ///   referral's connected step: unchanged (or Closed), no call.
    /// - Mapped to the payload the API refused (no referral): rejected again without a call.
    /// - Rejected by the mapping for the reason the entry holds, noted as the mapping's reject (the
    ///   same test as `SyncPlanner.newReject`: an entry left pending by a killed create is mapped,
    ///   so that the reject is written over it as before).
    public func settles(_ digest: SourceDigest) -> StreamRecord.Outcome? {
        guard let sourceMapsTo, let sourceDigest, sourceDigest == digest.hex else { return nil }
        if let payloadHash, sourceMapsTo == SourceMapsTo.mapped(payloadHash: payloadHash) {
            if referralId != nil { return needsConnected && connectedReferralId == nil ? nil : .sameAsLedger(rejectedFor: nil) }
            return state == .rejected ? .sameAsLedger(rejectedFor: nil) : nil
        }
        if let lastError, referralId != nil || state == .rejected, sourceMapsTo == SourceMapsTo.rejected(reason: lastError) {
            return .sameAsLedger(rejectedFor: lastError)
        }
        return nil
    }
}
