import Foundation

/// CSV as the CRMs' import tools read it: RFC 4180 quoting, one physical line per record.
///
/// Unlike the reports (`SpreadsheetCSV`), no `'` is put before a value that looks like a formula:
/// these files are for an import tool, which would store the `'` in the record (a phone number
/// `+1 555…` would arrive as `'+1 555…`). Open them in a spreadsheet only to look.
enum CRMCSV {
    /// One line, without its line end. A line break inside a value becomes a space, so every
    /// record is one line (the Import Data wizard and a person counting rows agree).
    static func line(_ fields: [String]) -> String {
        fields.map(cell).joined(separator: ",")
    }

    static func cell(_ value: String) -> String {
        var text = value
        if text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            text = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" }) || text.hasPrefix(" ") || text.hasSuffix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
