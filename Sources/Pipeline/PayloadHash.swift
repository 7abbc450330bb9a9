import Mapping

/// A 128-bit digest of the bytes a referral would be POSTed as, to tell changed records from
/// unchanged ones without keeping payloads (customer data) in the ledger.
///
/// Two FNV-1a 64 lanes with different offsets: not cryptographic, and it need not be: it guards
/// against accidental equality of two payloads of the same record, not against an adversary. Its
/// values are kept in ledgers: changing it would make every record look changed (an update each).
public enum PayloadHash {
    public static func of(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer(of)
    }

    public static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_0193 &+ 0x9E37_79B9_7F4A_7C15
        }
        return SourceDigest(high: a, low: b).hex
    }
}
