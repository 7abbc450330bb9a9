import Referrals

/// A 128-bit digest of what a record's mapping reads: the values of the source fields the mapping
/// names (and their OData labels), the mapping file's text and the mapper's output revision.
///
/// The mapper reads nothing else (no clock, no environment), so two records with the same digest
/// map to the same payload. The ledger keeps the digest beside the payload hash it mapped to, and a
/// nightly run settles a record whose digest it finds there without mapping it again.
public struct SourceDigest: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 lowercase hex digits, as the ledger stores it. Written digit by digit into one string:
    /// every record of a run needs one (its payload hash too), and `String(_:radix:)` with padding
    /// and concatenation made three strings to get there.
    public var hex: String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            func write(_ word: UInt64, at offset: Int) {
                for nibble in 0..<16 {
                    let value = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * nibble)) & 0x0f
                    buffer[offset + nibble] = value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
                }
            }
            write(high, at: 0)
            write(low, at: 16)
            return 32
        }
    }
}

/// A 128-bit digest fed eight bytes at a time, in two lanes that mix each word differently
/// (multiply then rotate; add then multiply then shift), with a final avalanche. Each step is a
/// bijection of the lane for a given word, so two inputs of the same length that differ in one
/// word always differ in both lanes. Not cryptographic, and it need not be: it tells apart two
/// contents of the same record, it does not stand against an adversary. Byte by byte (FNV, as
/// `PayloadHash` still is, since ledgers keep its values) it was 8 % of a re-run over 500k rejects.
/// The same on every host: words are read little-endian.
public struct Digest128 {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x8422_2325_cbf2_9ce4

    public init() {}

    public mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            absorb(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        let rest = bytes.count - offset
        if rest > 0 {
            // The last 1–7 bytes as the low bytes of a little-endian word, copied in one go.
            var tail: UInt64 = 0
            withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw + offset, count: rest)) }
            // The tail's length in the top byte: "a" and "a\0" differ.
            absorb(UInt64(littleEndian: tail) ^ (UInt64(rest) << 59))
        }
    }

    private mutating func absorb(_ word: UInt64) {
        a = (a ^ word) &* 0x9E37_79B9_7F4A_7C15
        a = (a << 29) | (a >> 35)
        b = (b &+ word) &* 0xC2B2_AE3D_27D4_EB4F
        b ^= b >> 31
    }

    public mutating func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { add($0) }
    }

    /// A text as its length and its UTF-8 bytes: "ab" + "c" and "a" + "bc" differ.
    public mutating func add(_ text: String) {
        add(length: text.utf8.count)
        // In place: a `var` copy to call `withUTF8` on retained and released every value of every
        // record a nightly run digests.
        text.withUTF8Bytes { add($0) }
    }

    /// Another digest, as its two words.
    public mutating func add(_ digest: SourceDigest) {
        absorb(digest.high)
        absorb(digest.low)
    }

    /// An absent value, told apart from every text (a length is never `UInt64.max`).
    public mutating func addAbsent() {
        add(length: -1)
    }

    mutating func add(length: Int) {
        absorb(UInt64(bitPattern: Int64(length)))
    }

    public var digest: SourceDigest { SourceDigest(high: Self.avalanche(a ^ (b >> 1)), low: Self.avalanche(b ^ (a << 1))) }

    /// The murmur3 finalizer: every input bit reaches every output bit.
    private static func avalanche(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x = x &* 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}
