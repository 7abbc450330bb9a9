/// Writing YAML scalars and comments so that any header or value from a file, however odd, reads
/// back as exactly itself: plain when that is safe, else double-quoted with escapes.
enum YAMLText {
    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "keep", "reject"]

    static func scalar(_ text: String) -> String {
        isPlain(text) ? text : quoted(text)
    }

    /// Letters, digits, spaces and `. - _ / ( ) ' &` only, starting with a letter, not a word YAML
    /// (or a map's `default:`) reads as something else, and not a number.
    static func isPlain(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter, text.last != " ", !text.contains("  ") else { return false }
        guard !reserved.contains(text.lowercased()) else { return false }
        return text.allSatisfy { character in
            character.isLetter || character.isNumber || " .-_/()'&".contains(character)
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || scalar.value == 0xFEFF
                    || (0x2028...0x2029).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A comment's text on one line: control characters (a header with a line break) become spaces.
    static func comment(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F || (0x2028...0x2029).contains($0.value) ? " " : Character($0) })
    }

    /// How a comment quotes a name or value from the file: `'Company Name'`, shortened when long.
    static func named(_ text: String) -> String {
        let short = text.count > 60 ? String(text.prefix(57)) + "…" : text
        return "'" + comment(short) + "'"
    }
}
