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

/// Two FNV-1a 64 lanes with different offsets and multipliers, fed byte by byte: the payload hash's
/// function, shared. Not cryptographic, and it need not be: it tells apart two contents of the same
/// record, it does not stand against an adversary.
public struct Digest128 {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x8422_2325_cbf2_9ce4

    public init() {}

    public mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        var a = a
        var b = b
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_0193 &+ 0x9E37_79B9_7F4A_7C15
        }
        self.a = a
        self.b = b
    }

    public mutating func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { add($0) }
    }

    /// A text as its length and its UTF-8 bytes: "ab" + "c" and "a" + "bc" differ.
    public mutating func add(_ text: String) {
        add(length: text.utf8.count)
        var text = text
        text.withUTF8 { add($0) }
    }

    /// Another digest (little-endian, the same on every host sharing a ledger).
    public mutating func add(_ digest: SourceDigest) {
        add(length: Int(truncatingIfNeeded: digest.high))
        add(length: Int(truncatingIfNeeded: digest.low))
    }

    /// An absent value, told apart from every text (a length is never `UInt64.max`).
    public mutating func addAbsent() {
        add(length: -1)
    }

    private mutating func add(length: Int) {
        withUnsafeBytes(of: UInt64(bitPattern: Int64(length)).littleEndian) { add($0.assumingMemoryBound(to: UInt8.self)) }
    }

    public var digest: SourceDigest { SourceDigest(high: a, low: b) }
}
