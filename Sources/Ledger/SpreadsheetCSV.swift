/// CSV cells as spreadsheets read them safely: RFC 4180 quoting, and a cell that a spreadsheet
/// would take for a formula (it begins with `=`, `+`, `-`, `@`, a tab or a CR) starts with `'`,
/// as OWASP recommends against CSV injection. Every CSV the project writes goes through here; the
/// JSON outputs keep values exact.
public enum SpreadsheetCSV {
    public static func append(_ field: String, to buffer: inout [UInt8]) {
        let utf8 = field.utf8
        let formula = utf8.first.map { [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13].contains($0) } ?? false
        let quoted = formula || utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard quoted else {
            buffer.append(contentsOf: utf8)
            return
        }
        buffer.append(UInt8(ascii: "\""))
        if formula { buffer.append(UInt8(ascii: "'")) }
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { buffer.append(byte) }
            buffer.append(byte)
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// One cell as text.
    public static func field(_ text: String) -> String {
        var bytes: [UInt8] = []
        append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
