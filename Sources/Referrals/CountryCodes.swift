import Foundation

/// ISO 3166-1 alpha-2 country codes, the format of the API's `Address.country` (partner-api.md §1.4, [C]).
///
/// The 249 officially assigned codes (checked against ICU's region list minus its reserved and
/// user-assigned codes such as `XK`, `EU`, `UN`). The API's examples and its `$filter` example
/// (`customerProfile/address/country eq 'US'`) write them in capitals, and ISO defines them so;
/// refbridge therefore sends capitals only: the validator reports `us` with the fix, and
/// `normalized(_:)` gives the mapping layer the fixed value.
public enum CountryCodes {
    public static let all: Set<String> = [
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE",
        "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD",
        "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
        "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
        "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU",
        "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
        "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME",
        "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
        "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
        "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI",
        "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK",
        "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
        "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
    ]

    /// Whether `code` is an assigned code, written in capitals.
    public static func isValid(_ code: String) -> Bool { table.contains(code) }

    /// `all` for lookups on the hot path (see `CodeSet`).
    private static let table = CodeSet(all, length: 2)

    /// The assigned code `text` spells in any case, surrounding spaces ignored (`" gb"` → `GB`); `nil`
    /// when it is none. Names (`United Kingdom`) and alpha-3 codes (`GBR`) are not guessed at: a
    /// value map in the mapping file says what they mean.
    public static func normalized(_ text: String) -> String? {
        // The mapping layer calls this for every record: an exact code costs one lookup, no copy.
        if table.contains(text) { return text }
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        return table.contains(code) ? code : nil
    }
}
