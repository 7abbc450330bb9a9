/// A CSV for Salesforce Data Loader (and Bulk API 2.0), with its `.sdl` field mapping.
///
/// Headers are the fields' API names; `Id` first for an update. UTF-8 without a BOM, LF line ends
/// (Bulk API's default `lineEnding`). An empty value leaves the field as it is on update.
enum DataLoaderCSV {
    static func render(header: [String], rows: [[String]]) -> [UInt8] {
        var text = CRMCSV.line(header) + "\n"
        for row in rows { text += CRMCSV.line(row) + "\n" }
        return Array(text.utf8)
    }

    /// `CSVHEADER=ApiName`, one line per column, as Data Loader's samples (`ID=Id`). The left side is
    /// the CSV header; `=`, `:` and `#` in it are escaped as in a Java properties file.
    static func mapping(header: [String]) -> [UInt8] {
        var text = "# Data Loader mapping written by refbridge: CSV header = Salesforce field\n"
        for column in header {
            var key = ""
            for character in column {
                if "=:#! \\".contains(character) { key.append("\\") }
                key.append(character)
            }
            text += "\(key)=\(column)\n"
        }
        return Array(text.utf8)
    }
}
