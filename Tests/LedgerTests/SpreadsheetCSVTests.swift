import Testing

@testable import Ledger

/// Cells as a spreadsheet must read them: RFC 4180 quoting, and no cell taken for a formula.
@Suite struct SpreadsheetCSVTests {
    @Test(arguments: [
        ("", ""),
        ("plain", "plain"),
        ("Zürich ✓", "Zürich ✓"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("cr\r", "\"cr\r\""),
        ("=SUM(A1)", "\"'=SUM(A1)\""),
        ("+1 555", "\"'+1 555\""),
        ("-5", "\"'-5\""),
        ("@cmd", "\"'@cmd\""),
        ("\tx", "\"'\tx\""),
        ("\r", "\"'\r\""),
        ("=\"x\"", "\"'=\"\"x\"\"\""),
        ("a=b", "a=b"),
    ])
    func cell(_ text: String, _ written: String) {
        #expect(SpreadsheetCSV.field(text) == written)
    }

    @Test func cellsAppendToWhatIsThere() {
        var buffer = Array("x,".utf8)
        SpreadsheetCSV.append("a,b", to: &buffer)
        SpreadsheetCSV.append(String(repeating: "é", count: 40), to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "x,\"a,b\"" + String(repeating: "é", count: 40))
    }
}
