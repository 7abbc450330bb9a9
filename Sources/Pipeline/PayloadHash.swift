import Mapping

/// A 128-bit digest of the bytes a referral would be POSTed as, to tell changed records from
/// unchanged ones without keeping payloads (customer data) in the ledger. See `Digest128`.
public enum PayloadHash {
    public static func of(_ bytes: [UInt8]) -> String {
        var digest = Digest128()
        digest.add(bytes)
        return digest.digest.hex
    }
}
