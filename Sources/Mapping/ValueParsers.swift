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
        var dots = 0
        var digits = 0
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "-") where index == 0: continue
            default: return nil
            }
        }
        guard digits > 0, dots <= 1, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    static func bool(_ text: String) -> Bool? {
        switch FastText.lowered(FastText.trimmed(text)) {
        case "true", "yes", "y", "1", "ja", "oui", "x", "allow": true
        case "false", "no", "n", "0", "nein", "non", "", "do not allow": false
        default: nil
        }
    }

    enum DateFormat: String, CaseIterable, Sendable {
        /// `2024-06-25`, `2024-06-25T10:00:00Z`, `2024-06-25 10:00:00` (no zone: UTC).
        case iso
        /// `6/25/2024`, `6/25/2024 10:00 AM`.
        case us
        /// `25.06.2024`, `25/06/2024`, `25-06-2024`, with an optional `HH:MM`.
        case eu
        /// Excel's serial day number (1900 date system).
        case excel
    }

    /// A date or date-time as the API's UTC date-time. A date alone is midnight UTC of that very day:
    /// it never moves a day, whatever the machine's time zone.
    static func dateTime(_ text: String, format: DateFormat) -> APIDateTime? {
        let trimmed = FastText.trimmed(text)
        switch format {
        case .iso:
            if let value = APIDateTime(trimmed) { return value.text.count == 10 ? APIDateTime(trimmed + "T00:00:00Z") : value }
            // `2024-06-25 10:00:00` or `2024-06-25T10:00:00` without a zone: taken as UTC.
            let replaced = trimmed.replacingOccurrences(of: " ", with: "T")
            if replaced.count >= 19, let value = APIDateTime(replaced + "Z") { return value }
            if replaced.count == 16, let value = APIDateTime(replaced + ":00Z") { return value }
            return nil
        case .us, .eu:
            // A date alone (the usual case) needs no split.
            let parts = trimmed.utf8.contains(32) ? trimmed.split(separator: " ", maxSplits: 1) : [trimmed[...]]
            guard let (a, b, year) = dateNumbers(parts[0]) else { return nil }
            let (month, day) = format == .us ? (a, b) : (b, a)
            guard (1...12).contains(month), (1...31).contains(day), year <= 9999 else { return nil }
            var time = "00:00:00"
            if parts.count == 2 {
                guard let parsed = clock(String(parts[1])) else { return nil }
                time = parsed
            }
            var iso: [UInt8] = []
            iso.reserveCapacity(20)
            for (value, width) in [(year, 4), (month, 2), (day, 2)] {
                if !iso.isEmpty { iso.append(UInt8(ascii: "-")) }
                var divisor = width == 4 ? 1000 : 10
                while divisor > 0 {
                    iso.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                    divisor /= 10
                }
            }
            iso.append(UInt8(ascii: "T"))
            iso.append(contentsOf: time.utf8)
            iso.append(UInt8(ascii: "Z"))
            return APIDateTime(String(decoding: iso, as: UTF8.self))
        case .excel:
            guard let serial = Double(trimmed), serial > 0, serial < 2_958_466 else { return nil }
            // Day 25569 is 1970-01-01 (Excel counts a 29 Feb 1900 that never was).
            let seconds = ((serial - 25569) * 86400).rounded()
            return APIDateTime(formatUTC(seconds))
        }
    }

    /// `6/25/2024`, `25.06.24`: three numbers split by `/`, `.` or `-`, the last one the year (two
    /// digits mean 20xx). Bytes, not Characters: every record of an export has a date or two.
    private static func dateNumbers(_ text: Substring) -> (Int, Int, year: Int)? {
        var numbers = [0, 0, 0]
        var digits = [0, 0, 0]
        var index = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits[index] < 4 else { return nil }
                numbers[index] = numbers[index] * 10 + Int(byte - UInt8(ascii: "0"))
                digits[index] += 1
            case UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"):
                guard digits[index] > 0, index < 2 else { return nil }
                index += 1
            default:
                return nil
            }
        }
        guard index == 2, digits[2] > 0 else { return nil }
        return (numbers[0], numbers[1], digits[2] == 2 ? numbers[2] + 2000 : numbers[2])
    }

    /// `10:00`, `10:00:30`, `10:00 AM`, `3:05 pm`.
    private static func clock(_ text: String) -> String? {
        var text = text.trimmingCharacters(in: .whitespaces).lowercased()
        var meridiem: String?
        if text.hasSuffix("am") || text.hasSuffix("pm") {
            meridiem = String(text.suffix(2))
            text = String(text.dropLast(2)).trimmingCharacters(in: .whitespaces)
        }
        let parts = text.split(separator: ":")
        guard (2...3).contains(parts.count), var hour = Int(parts[0]), let minute = Int(parts[1]), (0..<60).contains(minute) else { return nil }
        let second = parts.count == 3 ? Int(parts[2].prefix(2)) ?? 0 : 0
        if meridiem == "pm", hour < 12 { hour += 12 }
        if meridiem == "am", hour == 12 { hour = 0 }
        guard (0..<24).contains(hour) else { return nil }
        return two(hour) + ":" + two(minute) + ":" + two(second)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func format4(_ value: Int) -> String { String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value) }

    static func formatUTC(_ seconds: Double) -> String {
        // Civil from days (Howard Hinnant's algorithm): no calendar object, no time zone.
        let days = Int((seconds / 86400).rounded(.down))
        let rest = Int(seconds) - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return format4(year) + "-" + two(month) + "-" + two(day) + "T" + two(rest / 3600) + ":" + two(rest / 60 % 60) + ":" + two(rest % 60) + "Z"
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
    static func namePart(_ part: NamePart, of fullName: String) -> String {
        let trimmed = fullName.trimmingCharacters(in: .whitespaces)
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
