#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text values of a Configuration Migration `data.xml`.
///
/// The tool HTML-encodes text before writing it as an XML attribute, so after libxml2's XML
/// unescaping a value still reads `Ascent Audiology &amp; Hearing` or `&lt;&quot;…`; the tool's own
/// importer HTML-decodes it. We do the same, exactly once, here and only for CMT files: in generic
/// record XML an `&amp;` left after XML unescaping is a real ampersand the author wrote.
enum CMTText {
    /// The value as the CRM held it: HTML entities (`&amp; &lt; &gt; &quot; &apos; &nbsp;`, `&#39;`,
    /// `&#xE9;`) decoded once. An `&` that starts no known entity stays as written.
    static func decode(_ text: UnsafePointer<UInt8>) -> String {
        // Most values hold no `&`: one C-library scan, and the String is made straight from the bytes.
        guard strchr(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self), 0x26) != nil else {
            return String(cString: text)
        }
        let length = strlen(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self))
        return decode(UnsafeBufferPointer(start: text, count: length))
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&"), let (scalar, length) = entity(in: bytes, at: index) {
                UTF8Source.appendScalar(scalar, to: &output)
                index += length
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The entity at `start` (on its `&`): its scalar and its length including `&` and `;`.
    private static func entity(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (UInt32, Int)? {
        // The longest entity we decode is `&#x10FFFF;` (10 bytes) or `&#1114111;` (10 bytes).
        var end = start + 1
        while end < bytes.count, end - start <= 10, bytes[end] != UInt8(ascii: ";") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";"), end > start + 1 else { return nil }
        let body = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<end])
        let length = end - start + 1
        if body[0] == UInt8(ascii: "#") {
            var value: UInt32 = 0
            var digits = 0
            let hex = body.count > 1 && (body[1] | 0x20) == UInt8(ascii: "x")
            for byte in body.dropFirst(hex ? 2 : 1) {
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value * (hex ? 16 : 10) + digit
                digits += 1
                if value > 0x10FFFF { return nil }
            }
            // NUL and surrogates are no characters: such an entity stays as written.
            guard digits > 0, value != 0, !(0xD800..<0xE000).contains(value) else { return nil }
            return (value, length)
        }
        switch String(decoding: body, as: UTF8.self) {
        case "amp": return (0x26, length)
        case "lt": return (0x3C, length)
        case "gt": return (0x3E, length)
        case "quot": return (0x22, length)
        case "apos": return (0x27, length)
        case "nbsp": return (0xA0, length)
        default: return nil
        }
    }
}
