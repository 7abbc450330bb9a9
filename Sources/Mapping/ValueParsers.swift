import Referrals
import Foundation

/// Parsers for what CRM exports write, hand-written: the hot path maps 500k records and Foundation's
/// formatters are too slow (and too eager to apply a time zone).
enum ValueParsers {
    /// `$1,234.50`, `1.234,50 €`, `20000.0000`, `(1,200)`, `-5`, `1 234,5`. With `decimalComma`, a
    /// lone comma is the decimal separator; otherwise the last of `.`/`,` is, when both appear.
    static func number(_ text: String, decimalComma: Bool) -> Double? {
        if !decimalComma, let plain = plainNumber(text) { return plain }
        var digits = ""
        var negative = false
        var separators: [(Character, Int)] = []
        for character in text {
            switch character {
            case "0"..."9": digits.append(character)
            case ".", ",":
                separators.append((character, digits.count))
                digits.append(character)
            case "-", "−", "(":
                // A sign after digits (`1-2`, a range or a phone number) is not an amount.
                guard digits.isEmpty else { return nil }
                negative = true
            case " ", "\u{00A0}", "\u{202F}", "'", ")", "+": continue
            default:
                // Currency symbols and codes (`$`, `€`, `USD`) are dropped; any other letter is not a number.
                if character.isLetter, !character.isUppercase { return nil }
                continue
            }
        }
        guard digits.contains(where: \.isNumber) else { return nil }
        var decimal: Character? = nil
        let kinds = Set(separators.map(\.0))
        if kinds.count == 2 {
            decimal = separators.last!.0
        } else if let only = kinds.first {
            let count = separators.count
            if only == "," {
                decimal = decimalComma && count == 1 ? "," : nil
            } else {
                // `1.234.567` is thousands; a single `.` is a decimal point unless decimal commas are in use
                // and it groups exactly three digits.
                let groups: [Substring] = digits.split(separator: ".", omittingEmptySubsequences: false)
                let groupsOfThree = groups.dropFirst().allSatisfy { $0.count == 3 }
                decimal = count == 1 && !(decimalComma && groupsOfThree) ? "." : nil
            }
        }
        var normalized = ""
        for character in digits {
            if character == "." || character == "," {
                if character == decimal { normalized.append(".") }
            } else {
                normalized.append(character)
            }
        }
        guard let value = Double(normalized), value.isFinite else { return nil }
        return negative ? -value : value
    }

    /// `-1234.5` as most exports write amounts: parsed without building a normalized copy.
    private static func plainNumber(_ text: String) -> Double? {
        let plain = text.withUTF8Bytes { bytes -> Bool in
            var dots = 0
            var digits = 0
            for index in 0..<bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
                case UInt8(ascii: "."): dots += 1
                case UInt8(ascii: "-") where index == 0: continue
                default: return false
                }
            }
            return digits > 0 && dots <= 1
        }
        guard plain, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    static func bool(_ text: String) -> Bool? {
        switch FastText.lowered(FastText.trimmed(text)) {
        case "true", "yes", "y", "1", "ja", "oui", "x", "allow": true
        case "false", "no", "n", "0", "nein", "non", "", "do not allow": false
        default: nil
        }
    }

    /// The boolean reading of `is:` conditions and `bool: true`: only true/false, 1/0, yes/no (any
    /// case, surrounding spaces ignored). Narrower than `bool`, which also reads a consent column's
    /// `x` or `Allow`: here a value outside the list is a wrong column, not an answer.
    static func strictBool(_ text: String) -> Bool? {
        let trimmed = FastText.trimmed(text)
        switch trimmed.utf8.count {
        case 1:
            switch trimmed.utf8.first {
            case UInt8(ascii: "1"): return true
            case UInt8(ascii: "0"): return false
            default: return nil
            }
        case 2, 3, 4, 5:
            if FastText.asciiEqualIgnoringCase(trimmed, "true") || FastText.asciiEqualIgnoringCase(trimmed, "yes") { return true }
            if FastText.asciiEqualIgnoringCase(trimmed, "false") || FastText.asciiEqualIgnoringCase(trimmed, "no") { return false }
            return nil
        default: return nil
        }
    }

    /// Whether a value can be a phone number: digits and `+ ( ) - . /` and spaces, with at most an
    /// extension at the end (`x123`, `ext. 12`, `extension 12`, `#12`). An e-mail address or a note
    /// (`call Ann`) in a phone column is not one.
    static func isPhoneNumber(_ text: String) -> Bool {
        // By byte offset in the string's own bytes (this runs for every phone of every record).
        let (digits, extensionOffset) = text.withUTF8Bytes { bytes -> (Int, Int?) in
            var digits = 0
            for index in 0..<bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
                case UInt8(ascii: "+"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), 32, 9: continue
                case 0xC2, 0xA0: continue  // a no-break space, as spreadsheets write between digit groups
                default: return (digits, index)
                }
            }
            return (digits, nil)
        }
        guard digits > 0 else { return false }
        guard let extensionOffset else { return true }
        let start = text.utf8.index(text.utf8.startIndex, offsetBy: extensionOffset)
        // The rest must be an extension marker and its digits.
        var rest = Substring(text[start...]).lowercased()[...]
        var marked = false
        for marker in ["extension", "ext.", "ext", "x", "#"] where rest.hasPrefix(marker) {
            rest = rest.dropFirst(marker.count)
            marked = true
            break
        }
        let number = rest.drop { $0 == " " || $0 == "." || $0 == ":" }
        return marked && !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    enum Case: String, CaseIterable, Sendable { case upper, lower, title }

    static func apply(_ letterCase: Case, to text: String) -> String {
        switch letterCase {
        case .upper: return text.uppercased()
        case .lower: return text.lowercased()
        case .title:
            return text.split(separator: " ", omittingEmptySubsequences: false).map { word in
                word.prefix(1).uppercased() + word.dropFirst().lowercased()
            }.joined(separator: " ")
        }
    }

    enum NamePart: String, CaseIterable, Sendable { case first, last }

    /// `Ann Marie Lee` → first `Ann Marie`, last `Lee`; `Lee, Ann` → first `Ann`, last `Lee`.
    /// A trailing parenthesised note is not a name part: `Scott Konersmann (sample)` → `Scott`,
    /// `Konersmann` (CRMs append `(sample)`, `(old)`, `(Contoso)` to names).
    static func namePart(_ part: NamePart, of fullName: String) -> String {
        var trimmed = fullName.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix(")"), let open = trimmed.lastIndex(of: "("), open > trimmed.startIndex {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { break }
            trimmed = name
        }
        if let comma = trimmed.firstIndex(of: ",") {
            let last = trimmed[..<comma].trimmingCharacters(in: .whitespaces)
            let first = trimmed[trimmed.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            return part == .first ? first : last
        }
        let words = trimmed.split(separator: " ")
        guard words.count > 1 else { return part == .first ? trimmed : "" }
        return part == .first ? words.dropLast().joined(separator: " ") : String(words.last!)
    }
}
