#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses one JSON value from bytes and flattens it into (dotted name, value) pairs, with no tree
/// in between. Objects nest as `a.b`, arrays as `a.0`.
struct JSONFlattener {
    struct SyntaxError: Error {
        var offset: Int
        var message: String
    }

    static let maxDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    /// The names, once `flattenObject()` returned. While reading, only those from the first that is
    /// not the record before's at its position are kept here (see `namesMatch`).
    private(set) var names: [String] = []
    private(set) var values: [SourceValue] = []
    private var scratch: [UInt8] = []
    /// The dotted name of the value being read, as UTF-8: a `String` is made only for a name that is
    /// not the one the record before had at the same position.
    private var path: [UInt8] = []
    /// A top-level field's name where it stands in `bytes` (start, end), instead of a copy in `path`:
    /// the name of nearly every field of a flat export is compared there and never copied. Copied
    /// into `path` only when the field's value is an object or an array (its fields are named from it).
    private var pendingKey: (start: Int, end: Int)?
    /// The names of the record before (records of one export list the same fields in the same order).
    private let previous: PreviousNames
    /// Every name so far is the record before's at its position: they are not appended to `names`
    /// (a record like the one before costs no names array and no retain a name).
    private var namesMatch = true
    private var nameCount = 0

    /// Strings made recently by this reader (see `StringCache`).
    private let cache: StringCache?

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int, previous: PreviousNames = PreviousNames(), cache: StringCache? = nil) {
        self.bytes = bytes
        index = start
        self.previous = previous
        self.cache = cache
        values.reserveCapacity(previous.count)
    }

    /// Flattens the object at the start; returns the index after it.
    mutating func flattenObject() throws -> Int {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw error("expected an object ({…})") }
        try value(depth: 0)
        // The same names as the record before: the same array, so that a mapper sees the header it
        // already resolved without comparing a name.
        if namesMatch { names = nameCount == previous.count ? previous.names : Array(previous.names[..<nameCount]) }
        return index
    }

    private func error(_ message: String) -> SyntaxError { SyntaxError(offset: index, message: message) }

    private mutating func skipSpace() {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 32 || byte == 10 || byte == 13 || byte == 9 { index += 1 } else { return }
        }
    }

    private mutating func value(depth: Int) throws {
        guard depth < Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
        skipSpace()
        guard index < bytes.count else { throw error("the value is cut short") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            takePendingKey()
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a field name in quotes") }
                // `prefix.key`, or `key` at the top (and under an empty name).
                let mark = path.count
                if mark > 0 { path.append(UInt8(ascii: ".")) }
                let keyStart = path.count
                try key(top: mark == 0)
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                    let name = pendingKey.map { UnsafeBufferPointer(rebasing: bytes[$0.start..<$0.end]) }
                    throw error("expected ':' after \"\(name.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: path[keyStart...], as: UTF8.self))\"")
                }
                index += 1
                try value(depth: depth + 1)
                pendingKey = nil
                if path.count > mark { path.removeLast(path.count - mark) }
                skipSpace()
                guard index < bytes.count else { throw error("the object is cut short") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
                index += 1
                return
            }
        case UInt8(ascii: "["):
            takePendingKey()
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            var position = 0
            while true {
                let mark = path.count
                path.append(UInt8(ascii: "."))
                Self.appendDecimal(position, to: &path)
                try value(depth: depth + 1)
                path.removeLast(path.count - mark)
                position += 1
                skipSpace()
                guard index < bytes.count else { throw error("the array is cut short") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
                index += 1
                return
            }
        case UInt8(ascii: "\""):
            let text = try string()
            append(.string(text))
        case UInt8(ascii: "t"):
            try literal("true")
            append(.bool(true))
        case UInt8(ascii: "f"):
            try literal("false")
            append(.bool(false))
        case UInt8(ascii: "n"):
            try literal("null")
            append(.null)
        default:
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            var digits = 0
            while index < bytes.count {
                let byte = bytes[index]
                if (byte >= 48 && byte <= 57) { digits += 1 } else if byte != UInt8(ascii: ".") && byte != UInt8(ascii: "e") && byte != UInt8(ascii: "E") && byte != UInt8(ascii: "+") && byte != UInt8(ascii: "-") { break }
                index += 1
            }
            guard digits > 0 else {
                index = start
                throw error("unexpected character '\(Character(Unicode.Scalar(bytes[start])))'")
            }
            append(.number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)))
        }
    }

    /// The field's name is `path` from here on: its value is an object or an array.
    private mutating func takePendingKey() {
        guard let key = pendingKey else { return }
        path.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[key.start..<key.end]))
        pendingKey = nil
    }

    /// A value under the current name (`pendingKey` or `path`): its name is the record before's at
    /// this position when the bytes are the same, else a new `String`.
    private mutating func append(_ value: SourceValue) {
        values.append(value)
        let position = nameCount
        nameCount += 1
        let same: Bool
        if let key = pendingKey {
            same = previous.equals(position, bytes.baseAddress.map { $0 + key.start }, key.end - key.start)
        } else {
            same = path.withUnsafeBufferPointer { previous.equals(position, $0.baseAddress, $0.count) }
        }
        if namesMatch {
            if same { return }
            namesMatch = false
            names = Array(previous.names[..<position])
        }
        if same {
            names.append(previous.names[position])
        } else if let key = pendingKey {
            names.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[key.start..<key.end]), as: UTF8.self))
        } else {
            names.append(String(decoding: path, as: UTF8.self))
        }
    }

    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &bytes) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// A field name at `index` (on its opening quote), appended to `path` as UTF-8. ASCII names
    /// without escapes (nearly all) are copied as they are, or with `top` (`path` is empty) not
    /// copied but noted as `pendingKey`; others go through `string()`, which unescapes and checks UTF-8.
    private mutating func key(top: Bool) throws {
        let start = index + 1
        // Plain words skipped whole; only ASCII ones are kept on this path (`string()` takes the rest).
        let skipped = JSONScan.skipPlain(bytes, from: start)
        var end = skipped.bits == 0 ? skipped.index : start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                if top {
                    pendingKey = (start, end)
                } else {
                    path.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                }
                index = end + 1
                return
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            end += 1
        }
        path.append(contentsOf: try string().utf8)
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("the value is cut short") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw error("unexpected value: expected \(word)")
        }
        index += count
    }

    /// A string at `index` (on its opening quote), unescaped.
    private mutating func string() throws -> String {
        index += 1
        let start = index
        // Fast path: no escapes. ASCII-ness is gathered on the way, so most strings are not walked again
        // (and `String(validating:)` is avoided: unspecialized, it looks up generic metadata under a lock).
        let skipped = JSONScan.skipPlain(bytes, from: index)
        var bits = skipped.bits
        index = skipped.index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                // A string made recently from the same bytes is handed out again (see `StringCache`).
                let text = cache.map { $0.text(slice, ascii: bits < 0x80) } ?? UTF8Text.string(slice, ascii: bits < 0x80)
                guard let text else { throw SyntaxError(offset: start, message: "a string is not valid UTF-8") }
                return text
            }
            bits |= byte
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a control character inside a string must be escaped") }
            index += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let text = UTF8Text.string(scratch) else { throw SyntaxError(offset: start, message: "a string is not valid UTF-8") }
                return text
            }
            if byte < 0x20 { throw error("a control character inside a string must be escaped") }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
            case UInt8(ascii: "b"): scratch.append(8)
            case UInt8(ascii: "f"): scratch.append(12)
            case UInt8(ascii: "n"): scratch.append(10)
            case UInt8(ascii: "r"): scratch.append(13)
            case UInt8(ascii: "t"): scratch.append(9)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    index += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        UTF8Source.appendScalar(0xFFFD, to: &scratch)
                        scalar = low
                    }
                }
                if (0xD800..<0xE000).contains(scalar) { scalar = 0xFFFD }
                UTF8Source.appendScalar(scalar, to: &scratch)
            default:
                throw error("unknown escape \\\(Character(Unicode.Scalar(escape)))")
            }
        }
        throw error("a string is not closed")
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("a \\u escape is cut short") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 65...70: digit = UInt32(byte - 55)
            case 97...102: digit = UInt32(byte - 87)
            default: throw error("a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
