import Foundation
/// The names exports write for countries, currencies and industries, and what the API wants for
/// them. Value maps are drafted from these for the values actually seen in the file.
enum ValueTables {
    /// Lower-cased country name (or alpha-3 code) → ISO 3166 alpha-2. English names as CRMs write
    /// them, the common local spellings, and the alpha-3 codes of the same countries.
    static let countries: [String: String] = {
        let pairs: [(String, String)] = [
            ("united states", "US"), ("united states of america", "US"), ("usa", "US"), ("u.s.", "US"), ("u.s.a.", "US"), ("america", "US"),
            ("canada", "CA"), ("can", "CA"), ("mexico", "MX"), ("méxico", "MX"), ("mex", "MX"), ("brazil", "BR"), ("brasil", "BR"), ("bra", "BR"),
            ("argentina", "AR"), ("chile", "CL"), ("colombia", "CO"), ("peru", "PE"), ("perú", "PE"),
            ("united kingdom", "GB"), ("uk", "GB"), ("u.k.", "GB"), ("great britain", "GB"), ("england", "GB"), ("scotland", "GB"), ("wales", "GB"),
            ("gbr", "GB"), ("ireland", "IE"), ("irl", "IE"), ("germany", "DE"), ("deutschland", "DE"), ("deu", "DE"),
            ("austria", "AT"), ("österreich", "AT"), ("aut", "AT"), ("switzerland", "CH"), ("schweiz", "CH"), ("suisse", "CH"), ("che", "CH"),
            ("france", "FR"), ("fra", "FR"), ("belgium", "BE"), ("belgique", "BE"), ("belgië", "BE"), ("bel", "BE"),
            ("netherlands", "NL"), ("the netherlands", "NL"), ("nederland", "NL"), ("holland", "NL"), ("nld", "NL"),
            ("luxembourg", "LU"), ("lux", "LU"), ("spain", "ES"), ("españa", "ES"), ("espana", "ES"), ("esp", "ES"),
            ("portugal", "PT"), ("prt", "PT"), ("italy", "IT"), ("italia", "IT"), ("ita", "IT"), ("denmark", "DK"), ("danmark", "DK"), ("dnk", "DK"),
            ("sweden", "SE"), ("sverige", "SE"), ("swe", "SE"), ("norway", "NO"), ("norge", "NO"), ("nor", "NO"),
            ("finland", "FI"), ("suomi", "FI"), ("fin", "FI"), ("iceland", "IS"), ("poland", "PL"), ("polska", "PL"), ("pol", "PL"),
            ("czech republic", "CZ"), ("czechia", "CZ"), ("cze", "CZ"), ("slovakia", "SK"), ("hungary", "HU"), ("romania", "RO"),
            ("bulgaria", "BG"), ("greece", "GR"), ("croatia", "HR"), ("slovenia", "SI"), ("serbia", "RS"), ("estonia", "EE"),
            ("latvia", "LV"), ("lithuania", "LT"), ("ukraine", "UA"), ("turkey", "TR"), ("türkiye", "TR"), ("israel", "IL"),
            ("australia", "AU"), ("aus", "AU"), ("new zealand", "NZ"), ("nzl", "NZ"), ("japan", "JP"), ("jpn", "JP"),
            ("india", "IN"), ("ind", "IN"), ("singapore", "SG"), ("sgp", "SG"), ("china", "CN"), ("chn", "CN"),
            ("hong kong", "HK"), ("taiwan", "TW"), ("south korea", "KR"), ("korea", "KR"), ("republic of korea", "KR"),
            ("malaysia", "MY"), ("indonesia", "ID"), ("thailand", "TH"), ("philippines", "PH"), ("vietnam", "VN"), ("viet nam", "VN"),
            ("south africa", "ZA"), ("zaf", "ZA"), ("nigeria", "NG"), ("kenya", "KE"), ("egypt", "EG"), ("morocco", "MA"),
            ("united arab emirates", "AE"), ("uae", "AE"), ("are", "AE"), ("saudi arabia", "SA"), ("qatar", "QA"),
        ]
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }()

    /// Lower-cased currency name (Dynamics' currency record names) → ISO 4217.
    static let currencies: [String: String] = [
        "us dollar": "USD", "u.s. dollar": "USD", "dollar": "USD", "canadian dollar": "CAD", "pound sterling": "GBP", "british pound": "GBP",
        "euro": "EUR", "australian dollar": "AUD", "new zealand dollar": "NZD", "japanese yen": "JPY", "yen": "JPY",
        "indian rupee": "INR", "swiss franc": "CHF", "danish krone": "DKK", "swedish krona": "SEK", "norwegian krone": "NOK",
        "singapore dollar": "SGD", "hong kong dollar": "HKD", "chinese yuan": "CNY", "yuan renminbi": "CNY", "mexican peso": "MXN",
        "brazilian real": "BRL", "south african rand": "ZAR", "polish zloty": "PLN", "czech koruna": "CZK", "uae dirham": "AED",
        "$": "USD", "€": "EUR", "£": "GBP",
    ]

    static func countryCode(for text: String) -> String? {
        countries[text.trimmingCharacters(in: .whitespaces).lowercased()]
    }

    static func currencyCode(for text: String) -> String? {
        currencies[text.trimmingCharacters(in: .whitespaces).lowercased()]
    }

    /// Dynamics' industry option set, in code order (`industrycode` 1 Accounting … 33 Wholesale).
    static let dynamicsIndustries = [
        "Accounting", "Agriculture and Non-petrol Natural Resource Extraction", "Broadcasting Printing and Publishing", "Brokers",
        "Building Supply Retail", "Business Services", "Consulting", "Consumer Services", "Design, Direction and Creative Management",
        "Distributors, Dispatchers and Processors", "Doctor's Offices and Clinics", "Durable Manufacturing", "Eating and Drinking Places",
        "Entertainment Retail", "Equipment Rental and Leasing", "Financial", "Food and Tobacco Processing", "Inbound Capital Intensive Processing",
        "Inbound Repair and Services", "Insurance", "Legal Services", "Non-Durable Merchandise Retail", "Outbound Consumer Service",
        "Petrochemical Extraction and Distribution", "Service Retail", "SIG Affiliations", "Social Services", "Special Outbound Trade Contractors",
        "Specialty Realty", "Transportation", "Utility Creation and Distribution", "Vehicle Retail", "Wholesale",
    ]

    /// Industry label (Dynamics' option labels, Salesforce's picklist values), lower-cased →
    /// Partner Center industry. The same table the presets carry.
    static let industries: [String: String] = {
        let pairs: [(String, String)] = [
            ("Accounting", "Financial Services"), ("Agriculture and Non-petrol Natural Resource Extraction", "Agriculture, Forestry, & Fishing"),
            ("Broadcasting Printing and Publishing", "Communications & Media"), ("Brokers", "Financial Services"),
            ("Building Supply Retail", "Retail & Consumer Goods"), ("Business Services", "Services"), ("Consulting", "Services"),
            ("Consumer Services", "Services"), ("Design, Direction and Creative Management", "Services"),
            ("Distributors, Dispatchers and Processors", "Wholesale & Distribution"), ("Doctor's Offices and Clinics", "Healthcare"),
            ("Durable Manufacturing", "Manufacturing"), ("Eating and Drinking Places", "Hospitality"), ("Entertainment Retail", "Retail & Consumer Goods"),
            ("Equipment Rental and Leasing", "Services"), ("Financial", "Financial Services"), ("Food and Tobacco Processing", "Manufacturing"),
            ("Inbound Capital Intensive Processing", "Manufacturing"), ("Inbound Repair and Services", "Services"), ("Insurance", "Financial Services"),
            ("Legal Services", "Services"), ("Non-Durable Merchandise Retail", "Retail & Consumer Goods"), ("Outbound Consumer Service", "Services"),
            ("Petrochemical Extraction and Distribution", "Power & Utilities"), ("Service Retail", "Retail & Consumer Goods"),
            ("SIG Affiliations", "Services"), ("Social Services", "Government"), ("Special Outbound Trade Contractors", "Services"),
            ("Specialty Realty", "Services"), ("Transportation", "Travel & Transportation"), ("Utility Creation and Distribution", "Power & Utilities"),
            ("Vehicle Retail", "Retail & Consumer Goods"), ("Wholesale", "Wholesale & Distribution"),
            // Salesforce's standard Industry picklist, as the Salesforce preset maps it (others are left out, not guessed).
            ("Manufacturing", "Manufacturing"), ("Finance", "Financial Services"), ("Banking", "Financial Services"), ("Healthcare", "Healthcare"),
            ("Retail", "Retail & Consumer Goods"), ("Education", "Education"), ("Government", "Government"), ("Hospitality", "Hospitality"),
            ("Media", "Communications & Media"), ("Telecommunications", "Communications & Media"), ("Utilities", "Power & Utilities"),
            ("Energy", "Power & Utilities"), ("Agriculture", "Agriculture, Forestry, & Fishing"),
        ]
        return Dictionary(pairs.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { first, _ in first })
    }()

    /// The Partner Center industry for a label, or for a Dynamics industry code (`"20"` Insurance).
    static func industry(for text: String, codes: Bool) -> (industry: String, label: String)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if codes, let code = Int(trimmed), code >= 1, code <= dynamicsIndustries.count {
            let label = dynamicsIndustries[code - 1]
            return industries[label.lowercased()].map { ($0, label) }
        }
        return industries[trimmed.lowercased()].map { ($0, trimmed) }
    }
}
