/// Three byte values a reader looks for (a CSV field's end: the delimiter, LF and CR), found eight
/// bytes at a time: a word is XOR-ed with each value spread over its eight bytes, and a byte of the
/// result is zero where the word held that value. A byte-at-a-time loop made three compares a byte,
/// 7 % of a CSV preview's CPU; CSV fields are short, but most span a word or more.
struct ByteTriple {
    let x: UInt8
    let y: UInt8
    let z: UInt8
    private let wideX: UInt64
    private let wideY: UInt64
    private let wideZ: UInt64

    init(_ x: UInt8, _ y: UInt8, _ z: UInt8) {
        self.x = x
        self.y = y
        self.z = z
        wideX = UInt64(x) &* 0x0101_0101_0101_0101
        wideY = UInt64(y) &* 0x0101_0101_0101_0101
        wideZ = UInt64(z) &* 0x0101_0101_0101_0101
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool { byte == x || byte == y || byte == z }

    /// The index of the first of the three at or after `start` and before `end`, or `end`.
    @inline(__always)
    func first(in bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        while index + 8 <= end {
            // Little-endian: the word's first byte is its lowest.
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self))
            let found = Self.zeroBytes(word ^ wideX) | Self.zeroBytes(word ^ wideY) | Self.zeroBytes(word ^ wideZ)
            if found != 0 { return index + found.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < end, !contains(bytes[index]) { index += 1 }
        return index
    }

    /// Bit 7 set in each byte of `word` that is zero, and maybe in bytes above the lowest zero one
    /// (a borrow runs on); never below it, so the lowest set bit marks the first zero byte exactly,
    /// and the result is 0 only when no byte is zero.
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }
}
