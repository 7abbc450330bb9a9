import Foundation
import Referrals

/// What one value looks like, for columns no known name explains. Cheap checks on text only: a
/// sniff is a hint for a draft the user reviews, never a validation.
enum ValueSniffer {
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(" ") else { return false }
        let domain = parts[1]
        guard let dot = domain.lastIndex(of: "."), dot != domain.startIndex else { return false }
        return domain.distance(from: dot, to: domain.endIndex) > 2
    }

    /// Digits, spaces and `+ ( ) - . /` with at least 7 digits, and some sign of a phone number
    /// (a `+`, a bracket, a space or a dash) so that amounts and ids do not count.
    static func isPhone(_ text: String) -> Bool {
        guard !isDate(text) else { return false }
        var digits = 0
        var marks = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": digits += 1
            case "+", "(", ")", "-", " ": marks += 1
            case ".", "/": break
            default: return false
            }
        }
        return digits >= 7 && digits <= 15 && marks > 0
    }

    /// An ISO 3166 code in any case, or a country name or alpha-3 code refbridge knows.
    static func isCountry(_ text: String) -> Bool {
        CountryCodes.normalized(text) != nil || ValueTables.countryCode(for: text) != nil
    }

    /// An ISO 4217 code in any case, or a currency name refbridge knows.
    static func isCurrency(_ text: String) -> Bool {
        CurrencyCodes.normalized(text) != nil || ValueTables.currencyCode(for: text) != nil
    }

    static func isGUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// The shape of a date: ISO (`2026-03-14`, with or without a time), or `n/n/yyyy` style with
    /// its first two numbers (which tell the day-month order when one is above 12).
    enum DateShape: Equatable {
        case iso
        case numeric(first: Int, second: Int)
    }

    static func dateShape(_ text: String) -> DateShape? {
        let scalars = Array(text.unicodeScalars.prefix(40))
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= scalars.count else { return nil }
            var value = 0
            for scalar in scalars[from..<(from + count)] {
                guard let digit = Int(String(scalar)), ("0"..."9").contains(scalar) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        if scalars.count >= 10, number(0, 4) != nil, scalars[4] == "-", let month = number(5, 2), scalars[7] == "-", let day = number(8, 2),
            (1...12).contains(month), (1...31).contains(day), scalars.count == 10 || scalars[10] == "T" || scalars[10] == " " {
            return .iso
        }
        // n/n/yy(yy), n.n.yyyy or n-n-yyyy, then an optional time.
        let datePart = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? text
        for separator in ["/", ".", "-"] {
            let pieces = datePart.components(separatedBy: separator)
            guard pieces.count == 3, pieces.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                pieces[0].count <= 2, pieces[1].count <= 2, pieces[2].count == 2 || pieces[2].count == 4,
                let first = Int(pieces[0]), let second = Int(pieces[1]), (1...31).contains(first), (1...31).contains(second)
            else { continue }
            return .numeric(first: first, second: second)
        }
        return nil
    }

    static func isDate(_ text: String) -> Bool { dateShape(text) != nil }

    /// A number as exports write money: digits with an optional sign, currency symbol or code,
    /// thousands separators and decimals (`1,234.50`, `1.234,50`, `$ 1,200`, `20000.0000`).
    static func isNumber(_ text: String) -> Bool {
        var digits = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": digits += 1
            case ".", ",", " ", "-", "+", "(", ")", "$", "€", "£", "¥", "'", "\u{A0}": break
            default:
                // A currency code before or after the amount (`EUR 1.200,00`).
                guard scalar.properties.isUppercase, text.unicodeScalars.filter({ $0.properties.isUppercase }).count <= 3 else { return false }
            }
        }
        return digits > 0 && !isDate(text) && !isPhoneLike(text)
    }

    /// `1.234,50` or `344755,62`: a comma before the last one or two digits, no later dot.
    static func hasDecimalComma(_ text: String) -> Bool {
        guard let comma = text.lastIndex(of: ",") else { return false }
        let after = text[text.index(after: comma)...].filter { !$0.isWhitespace }
        guard (1...2).contains(after.count), after.allSatisfy(\.isNumber) else { return false }
        return !text[comma...].contains(".")
    }

    /// Whether the number has a decimal part (`.50`, `,50`), as money usually has and counts do not.
    static func hasDecimals(_ text: String) -> Bool {
        guard let separator = text.lastIndex(where: { $0 == "." || $0 == "," }) else { return false }
        let after = text[text.index(after: separator)...]
        return !after.isEmpty && after.count <= 4 && after.allSatisfy(\.isNumber)
    }

    private static func isPhoneLike(_ text: String) -> Bool {
        text.hasPrefix("+") && text.filter(\.isNumber).count >= 7
    }
}
