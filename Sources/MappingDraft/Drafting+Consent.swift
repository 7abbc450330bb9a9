import Foundation
/// Consent is the customer's answer: the draft never maps it. It writes a required REVIEW item
/// instead, and leaves both flags unmapped, so that the mapping loader refuses the file ("consent …
/// is not mapped") until the user states where consent comes from.
extension Drafting {
    /// Columns whose names suggest they record consent or opting out, shown to help the user find it.
    func consentCandidates() -> [FieldProfile] {
        sample.fields.filter { field in
            guard !field.name.hasPrefix("(Do Not Modify)") else { return false }
            let name = field.name.lowercased()
            let words = Set(HeaderMatcher.words(field.name))
            return !words.isDisjoint(with: ["consent", "optin", "optout", "opted", "gdpr", "permission", "sharing", "donotemail", "donotcontact", "marketing"])
                || name.contains("do not") || name.contains("donot") || name.contains("opt") && name.contains("out") || name.contains("consent")
        }
    }

    mutating func consentBlock(_ writer: inout DraftWriter) {
        reviews.insert(ReviewItem(required: true, path: "consent", message: "state where the customer's consent comes from (consent.consentToToShareInfoWithOthers and consent.consentToContact): it is never guessed, and the mapping does not load until you do"), at: 0)
        writer.blank()
        writer.comment("REVIEW (required): consent is the customer's answer and is never guessed, so this mapping", indent: 2)
        writer.comment("does not load until you state it. Map both flags from the columns that record the customer's", indent: 2)
        writer.comment("answer (a value outside the map rejects the record), or use `const:` only where your process", indent: 2)
        writer.comment("guarantees it. See \"Consent\" in docs/mapping-reference.md.", indent: 2)
        let candidates = consentCandidates()
        if !candidates.isEmpty {
            writer.comment("Columns whose names suggest consent or opting out (check what they mean in your CRM):", indent: 2)
            for candidate in candidates.prefix(8) {
                let values = candidate.values.count <= 6 && !candidate.manyValues ? ": " + seen(candidate) : ""
                writer.comment("  \(YAMLText.named(candidate.name))\(values)", indent: 2)
            }
        }
        writer.comment("consent.consentToToShareInfoWithOthers:", indent: 2)
        writer.comment("  field: YOUR_CONSENT_COLUMN", indent: 2)
        writer.comment("  map: { \"Yes\": \"true\", \"No\": \"false\" }", indent: 2)
        writer.comment("  default: reject", indent: 2)
        writer.comment("consent.consentToContact:", indent: 2)
        writer.comment("  field: YOUR_CONTACT_CONSENT_COLUMN", indent: 2)
        writer.comment("  map: { \"Yes\": \"true\", \"No\": \"false\" }", indent: 2)
        writer.comment("  default: reject", indent: 2)
        writer.blank()
    }
}
