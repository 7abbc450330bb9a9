import Foundation

/// ISO 4217 alphabetic currency codes, the format of `details.currency` (partner-api.md §1.8).
///
/// The circulating currencies of ISO 4217 list one (as of 2025, XCG and ZWG included), plus codes
/// withdrawn since 2023 that CRM exports of older deals still carry (ANG, HRK, SLL, ZWL). Fund,
/// metal and testing codes (XAU, XDR, XTS, USN…) are left out: no deal is priced in them.
/// Codes are capitals by definition; like countries, lower case is reported, and fixed by
/// `normalized(_:)`.
public enum CurrencyCodes {
    public static let all: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL",
        "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
        "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS",
        "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD",
        "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
        "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK",
        "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
        "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
    ]

    /// Whether `code` is a listed code, written in capitals.
    public static func isValid(_ code: String) -> Bool { table.contains(code) }

    /// `all` for lookups on the hot path (see `CodeSet`).
    private static let table = CodeSet(all, length: 3)

    /// The listed code `text` spells in any case, surrounding spaces ignored (`"usd "` → `USD`);
    /// `nil` when it is none.
    public static func normalized(_ text: String) -> String? {
        // The mapping layer calls this for every record: an exact code costs one lookup, no copy.
        if table.contains(text) { return text }
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        return table.contains(code) ? code : nil
    }
}
