/// Eight bytes at a time over the inside of a JSON string (SWAR: one 64-bit word holds eight bytes).
///
/// Most of an NDJSON export is string bytes, and the byte loop of `JSONFlattener.string()` and
/// `key()` looked at each for a quote, a backslash or a control character. A word with none of them
/// is skipped whole; any word with one (or that cannot be read whole, at the end of the buffer) is
/// left to the byte loop, which decides exactly as before: the test below may only say "maybe" for
/// a word that has none, never "no" for a word that has one.
enum JSONScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `word` is `"`, `\` or below 0x20 (exact when it says no).
    @inline(__always)
    static func mayEndString(_ word: UInt64) -> Bool {
        // A byte below n sets its high bit in (x - n·ones) & ~x, for n ≤ 0x80: true for any such byte.
        let control = (word &- ones &* 0x20) & ~word
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        // A zero byte (the quote or backslash found) sets a high bit in (y - ones) & ~y.
        let found = control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
        return found & highs != 0
    }

    /// From `index`, the index of the first word of `bytes` that may end the string (or where fewer
    /// than eight bytes are left), and the OR of the bytes skipped (bit 7: not all ASCII).
    @inline(__always)
    static func skipPlain(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> (index: Int, bits: UInt8) {
        guard let base = bytes.baseAddress else { return (index, 0) }
        var index = index
        var seen: UInt64 = 0
        while index >= 0, index <= bytes.count - 8 {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if mayEndString(word) { break }
            seen |= word
            index += 8
        }
        return (index, seen & highs != 0 ? 0x80 : 0)
    }
}
