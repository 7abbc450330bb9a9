/// One source record as a JSON object, fields in file order (`read --ndjson`); the first of
/// duplicate names wins; values as text, as the mapping sees them, `null` for a null.
extension SourceRecord {
    public func appendJSONLine(to buffer: inout [UInt8]) {
        var seen = Set<String>()
        buffer.append(UInt8(ascii: "{"))
        for (name, value) in zip(names, values) where seen.insert(name).inserted {
            if seen.count > 1 { buffer.append(UInt8(ascii: ",")) }
            Self.appendJSONString(name, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            if let text = value.text { Self.appendJSONString(text, to: &buffer) } else { buffer.append(contentsOf: "null".utf8) }
        }
        buffer.append(contentsOf: "}\n".utf8)
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as is.
    public static func appendJSONString(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): buffer.append(contentsOf: "\\\\".utf8)
            case 10: buffer.append(contentsOf: "\\n".utf8)
            case 13: buffer.append(contentsOf: "\\r".utf8)
            case 9: buffer.append(contentsOf: "\\t".utf8)
            case 0..<32, 127:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: "\\u00".utf8)
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 15)])
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
