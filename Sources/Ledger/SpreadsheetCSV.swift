/// CSV cells as spreadsheets read them safely: RFC 4180 quoting, and a cell that a spreadsheet
/// would take for a formula (it begins with `=`, `+`, `-`, `@`, a tab or a CR) starts with `'`,
/// as OWASP recommends against CSV injection. Every CSV the project writes goes through here; the
/// JSON outputs keep values exact.
public enum SpreadsheetCSV {
    public static func append(_ field: String, to buffer: inout [UInt8]) {
        var field = field
        // Over the contiguous UTF-8 bytes: a report row per record of a 500k-record run, where
        // the generic `utf8.contains` and a literal array per cell were most of the report's cost.
        field.withUTF8 { bytes in
            guard let first = bytes.first else { return }
            let formula = first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@") || first == 9 || first == 13
            var quoted = formula
            if !quoted {
                for byte in bytes where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13 {
                    quoted = true
                    break
                }
            }
            guard quoted else {
                buffer.append(contentsOf: bytes)
                return
            }
            buffer.append(UInt8(ascii: "\""))
            if formula { buffer.append(UInt8(ascii: "'")) }
            for byte in bytes {
                if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\""))
        }
    }

    /// One cell as text.
    public static func field(_ text: String) -> String {
        var bytes: [UInt8] = []
        append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
