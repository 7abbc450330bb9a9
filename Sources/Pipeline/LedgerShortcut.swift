public import Ledger
public import Mapping

/// What the ledger keeps in `sourceMapsTo`: the payload hash a content mapped to, or for content
/// the mapping rejected, a mark with the reason's hash (so that a `lastError` written since, by
/// the API or a failed call, is told apart from the mapping's reason).
public enum SourceMapsTo {
    static let rejectedPrefix = "rejected:"

    public static func mapped(payloadHash: String) -> String { payloadHash }

    public static func rejected(reason: String) -> String {
        rejectedPrefix + digest(of: reason).hex
    }

    /// Whether `mark` is `rejected(reason:)`, compared in place: a re-run over 500k unchanged
    /// rejects asks this of every record, and building the mark made two strings each time.
    static func isRejected(_ mark: String, reason: String) -> Bool {
        var mark = mark
        return mark.withUTF8 { bytes in
            let prefix = rejectedPrefix.utf8
            guard bytes.count == prefix.count + 32, bytes.starts(with: prefix) else { return false }
            return digest(of: reason).matches(hex: UnsafeBufferPointer(rebasing: bytes[prefix.count...]))
        }
    }

    private static func digest(of reason: String) -> SourceDigest {
        var digest = Digest128()
        digest.add(reason)
        return digest.digest
    }
}

extension SourceDigest {
    /// Whether `hex` is this digest's `hex`, compared in place (no string is made).
    func matches(hex text: String) -> Bool {
        var text = text
        return text.withUTF8 { matches(hex: $0) }
    }

    /// Whether `bytes` are this digest's 32 lowercase hex digits.
    func matches(hex bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 32 else { return false }
        func word(at offset: Int) -> UInt64? {
            var value: UInt64 = 0
            for index in offset..<offset + 16 {
                let byte = bytes[index]
                let nibble: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
                // Upper case is not what `hex` writes: not this digest.
                default: return nil
                }
                value = value << 4 | UInt64(nibble)
            }
            return value
        }
        return word(at: 0) == high && word(at: 16) == low
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
    ///
    /// Asked of every record of a nightly run: the digests are compared in place, with no string made.
    public func settles(_ digest: SourceDigest) -> StreamRecord.Outcome? {
        guard let sourceMapsTo, let sourceDigest, digest.matches(hex: sourceDigest) else { return nil }
        if let payloadHash, sourceMapsTo == SourceMapsTo.mapped(payloadHash: payloadHash) {
            if referralId != nil { return needsConnected && connectedReferralId == nil ? nil : .sameAsLedger(rejectedFor: nil) }
            return state == .rejected ? .sameAsLedger(rejectedFor: nil) : nil
        }
        if let lastError, referralId != nil || state == .rejected, SourceMapsTo.isRejected(sourceMapsTo, reason: lastError) {
            return .sameAsLedger(rejectedFor: lastError)
        }
        return nil
    }
}
