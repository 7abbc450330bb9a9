/// JSON string escaping into bytes: the one escaper of the project, used by the referral writer
/// and by every JSON the command line writes (preview lines, reports).
public enum JSONString {
    /// Appends `text` as a quoted JSON string.
    @inlinable
    public static func append(_ text: String, to buffer: inout some JSONByteSink & ~Copyable) {
        buffer.append(UInt8(ascii: "\""))
        appendEscaped(text, to: &buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    /// `text`'s bytes escaped, read in place (`withUTF8Bytes`: a `var` copy to call `withUTF8` on
    /// retained and released every string written, 0.6 % of a CSV preview).
    @inlinable
    public static func appendEscaped(_ text: String, to out: inout some JSONByteSink & ~Copyable) {
        text.withUTF8Bytes { appendEscaped($0, to: &out) }
    }

    @inlinable
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Whether any of the eight bytes in `word` is below 0x20, a `"` or a `\\` (the classic
    /// "has a byte less than n" and "has a zero byte" word tests; bytes of 0x80 and above never match).
    @inlinable
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quotes = (quote &- ones) & ~quote & highs
        let backslashes = (backslash &- ones) & ~backslash & highs
        return control | quotes | backslashes != 0
    }

    /// Copies runs of plain bytes at once and escapes the few bytes JSON requires.
    @inlinable
    public static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout some JSONByteSink & ~Copyable) {
        var runStart = 0
        var index = 0
        // Eight bytes at a time while none of them needs escaping (the usual case: a name, a city),
        // with the word tests below; the byte loop then finds the one that does.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= bytes.count, !needsEscape(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { index += 8 }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            if runStart < index { out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0x0F))
            }
            index += 1
            runStart = index
        }
        if runStart < bytes.count { out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count])) }
    }
}
