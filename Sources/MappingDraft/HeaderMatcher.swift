/// Fuzzy matches of header names no catalog knows ("Account Name", "Zip", "E-mail Address") to
/// referral fields, by words: what a person would call each field, compared as word sets so that
/// order, punctuation and case do not matter.
enum HeaderMatcher {
    /// What people call each field, most usual first.
    static let synonyms: [DraftSlot: [String]] = [
        .key: ["id", "record id", "lead id", "opportunity id", "guid", "external id", "crm id", "unique id"],
        .topic: ["topic", "subject", "title of lead", "lead name", "opportunity name", "opportunity", "deal name", "deal", "project"],
        .company: ["company", "company name", "account", "account name", "organization", "organisation", "organization name", "customer",
                   "customer name", "business name", "business", "employer", "firm", "potential customer"],
        .street: ["street", "street 1", "address", "address line 1", "address 1", "street address", "line 1", "addressline1"],
        .city: ["city", "town", "locality", "municipality"],
        .state: ["state", "province", "state province", "county", "region state", "stateorprovince"],
        .postalCode: ["zip", "zip code", "zipcode", "postal code", "postcode", "post code", "postalcode", "zip postal code", "plz"],
        .country: ["country", "country region", "country code", "nation", "country name"],
        .firstName: ["first name", "firstname", "given name", "forename", "first", "contact first name"],
        .lastName: ["last name", "lastname", "surname", "family name", "last", "contact last name"],
        .email: ["email", "e mail", "email address", "e mail address", "mail", "contact email", "work email", "business email"],
        .phone: ["phone", "business phone", "telephone", "phone number", "work phone", "tel", "mobile", "mobile phone", "contact phone"],
        .notes: ["description", "notes", "note", "comments", "comment", "details", "remarks"],
        .dealValue: ["amount", "deal value", "est value", "estimated value", "value", "est revenue", "estimated revenue", "revenue", "budget",
                     "budget amount", "deal size", "opportunity amount", "potential value", "expected revenue"],
        .currency: ["currency", "currency code", "currency iso code", "currencyisocode", "iso currency"],
        .closeDate: ["est close date", "close date", "closing date", "estimated close date", "expected close", "expected close date",
                     "close by", "decision date", "closedate"],
        .industry: ["industry", "sector", "vertical", "industry code", "line of business"],
    ]

    /// Words of a header: lower-cased letters and digits, everything else a separator
    /// (`ZIP/Postal Code` → zip, postal, code; `E-mail` → e, mail; `CloseDate` → close, date).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for character in text {
            if character.isLetter || character.isNumber {
                // API names are camel case: `CreatedDate` is "created date", `IsConverted` "is converted".
                if character.isUppercase, previousWasLower, !current.isEmpty {
                    words.append(current)
                    current = ""
                }
                current += character.lowercased()
                previousWasLower = character.isLowercase
            } else {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousWasLower = false
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    struct Match {
        var score: Double
        var synonym: String
    }

    /// How well `header` names `slot`, 0…1, and the synonym it is like.
    ///  - 1.0: the same words as a synonym (`E-Mail Address` ~ `email address`, ignoring spaces);
    ///  - 0.85: a synonym's words all in the header, with one or two more (`Contact Email`);
    ///  - 0.7: the header's words all in a synonym of two or more words (`Zip` in `zip code`);
    /// Words such as "created" or "modified" rule a column out of a date or name field.
    static func match(_ header: String, _ slot: DraftSlot) -> Match? {
        let headerWords = words(header)
        guard !headerWords.isEmpty else { return nil }
        let joined = headerWords.joined()
        // "Owner Email" is not the customer's, "Created On" is not a close date, "Account Id" is no name.
        let vetoes: Set<String> = ["created", "modified", "owner", "checksum", "birth", "birthday", "id", "guid"]
        if slot != .key, headerWords.contains(where: { vetoes.contains($0) }) { return nil }
        var best: Match?
        for synonym in synonyms[slot] ?? [] {
            let synonymWords = words(synonym)
            let score: Double
            if synonymWords == headerWords || synonymWords.joined() == joined {
                score = 1.0
            } else if Set(synonymWords).isSubset(of: headerWords), headerWords.count - synonymWords.count <= 2 {
                score = 0.85 - 0.05 * Double(headerWords.count - synonymWords.count)
            } else if synonymWords.count >= 2, Set(headerWords).isSubset(of: synonymWords) {
                score = 0.7
            } else {
                continue
            }
            if score > (best?.score ?? 0) { best = Match(score: score, synonym: synonym) }
        }
        return best
    }
}
