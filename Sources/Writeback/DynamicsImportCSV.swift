/// A CSV for the Dynamics 365 / Dataverse Import Data wizard.
///
/// Headed with the columns' display names, so the wizard maps them itself; the first column holds
/// the record GUID (map it to the primary key, e.g. "Lead", or pick an alternate key: see the
/// README). UTF-8 with a BOM (the wizard and Excel then agree on the encoding), CRLF line ends, one
/// row per record. Not an exported Excel template: the wizard refuses a template whose columns were
/// changed, and skips or fails rows by its hidden checksum and timestamp columns.
enum DynamicsImportCSV {
    static func render(header: [String], rows: [[String]]) -> [UInt8] {
        var text = CRMCSV.line(header) + "\r\n"
        for row in rows { text += CRMCSV.line(row) + "\r\n" }
        return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
    }
}
