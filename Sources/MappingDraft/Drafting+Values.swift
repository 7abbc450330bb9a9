/// The value-level parts of a draft: value maps from the values seen, date order, decimal commas.
extension Drafting {
    /// Profiles of an assignment's columns.
    func profiles(_ slot: DraftSlot) -> [FieldProfile] {
        (assignments[slot]?.fields ?? []).compactMap(profile)
    }

    /// `formatted: true` where the column has OData labels and the slot reads labels.
    func labelOptions(_ slot: DraftSlot) -> [(key: String, value: String)] {
        slot.prefersLabel && profiles(slot).contains(where: \.hasFormattedValues) ? [("formatted", "true")] : []
    }

    /// Values of the assigned columns, most frequent first, merged over the columns.
    func seenValues(_ slot: DraftSlot) -> [(value: String, count: Int)] {
        var merged: [String: Int] = [:]
        for profile in profiles(slot) { for (value, count) in profile.values { merged[value, default: 0] += count } }
        return merged.map { ($0.key, $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
    }

    static func records(_ count: Int) -> String { count == 1 ? "1 record" : "\(count) records" }

    /// A country or currency rule: the names seen mapped to their ISO codes, codes passed on
    /// (`default: keep`), and values neither reported for review.
    mutating func isoRule(_ slot: DraftSlot, lookup: (String) -> String?, isCode: (String) -> Bool, what: String) -> DraftRule? {
        guard let assignment = assignments[slot] else { return nil }
        var rule = DraftRule(origin: assignment.fields.count > 1 ? .fields(assignment.fields) : .field(assignment.fields[0]), options: labelOptions(slot))
        var entries: [DraftRule.MapEntry] = []
        var unknown: [String] = []
        for (value, count) in seenValues(slot) {
            if isCode(value) { continue }
            if let code = lookup(value) {
                entries.append(.init(from: value, to: code, comment: "\(Self.records(count)) in the sample"))
            } else {
                unknown.append("\(YAMLText.named(value)) (\(Self.records(count)))")
            }
        }
        if !entries.isEmpty || !unknown.isEmpty {
            rule.map = entries.sorted { $0.from < $1.from }
            rule.unmapped = "keep"
            rule.unmappedComment = "ISO codes pass on; any other value is rejected with the value named"
        }
        if !unknown.isEmpty {
            reviews.append(ReviewItem(required: false, path: slot.path ?? "", message: "values not recognised as \(what): \(unknown.prefix(8).joined(separator: ", "))\(unknown.count > 8 ? " and \(unknown.count - 8) more" : ""): add them to the map, or those records are rejected"))
        }
        return rule
    }

    /// The industry rule: labels (or Dynamics codes) mapped to Partner Center industries; others left out.
    func industryRule() -> DraftRule? {
        guard let assignment = assignments[.industry], let column = assignment.fields.first else { return nil }
        let options = labelOptions(.industry)
        let readsCodes = options.isEmpty && producer != .salesforce && profiles(.industry).allSatisfy { $0.values.keys.allSatisfy { Int($0) != nil } }
        var rule = DraftRule(origin: .field(column), options: options)
        var entries: [DraftRule.MapEntry] = []
        for (value, count) in seenValues(.industry) {
            guard let found = ValueTables.industry(for: value, codes: readsCodes) else { continue }
            let label = readsCodes ? "\(found.label), " : ""
            entries.append(.init(from: value, to: found.industry, comment: "\(label)\(Self.records(count)) in the sample"))
        }
        rule.map = entries.sorted { $0.from < $1.from }
        rule.unmapped = ""
        rule.unmappedComment = "an industry with no Partner Center match is left out rather than guessed"
        return rule
    }

    /// The close date: `date:` from the values seen (ISO needs none; `n/n/yyyy` is us or eu by
    /// which number goes above 12; Excel serial numbers are `excel`).
    mutating func closeDateRule() -> (DraftRule, String)? {
        guard let assignment = assignments[.closeDate], let column = assignment.fields.first, let profile = profile(column) else { return nil }
        var rule = DraftRule(origin: .field(column))
        var note = ""
        if profile.numericDates > profile.isoDates {
            if profile.dayFirst > 0, profile.monthFirst == 0 {
                rule.options.append(("date", "eu"))
                note = "; day first: \(Self.records(profile.dayFirst)) start with a number above 12"
            } else if profile.monthFirst > 0, profile.dayFirst == 0 {
                rule.options.append(("date", "us"))
                note = "; month first: \(Self.records(profile.monthFirst)) have a second number above 12"
            } else {
                rule.options.append(("date", "us"))
                note = "; REVIEW: the order of day and month cannot be told from the sample, us assumed"
                reviews.append(ReviewItem(required: false, path: "details.closingDateTime", message: "dates like 4/5/2026 in \(YAMLText.named(column)) could be April 5 (us) or 4 May (eu): the sample does not tell; us was assumed"))
            }
        } else if profile.isoDates == 0, profile.share(profile.numbers) >= 0.8 {
            rule.options.append(("date", "excel"))
            note = "; numbers: Excel serial days"
        }
        return (rule, note)
    }

    /// The deal value, with `decimalComma: true` when most amounts are written `1.234,50`.
    func dealValueRule() -> (DraftRule, String)? {
        guard let assignment = assignments[.dealValue], let column = assignment.fields.first, let profile = profile(column) else { return nil }
        var rule = DraftRule(origin: .field(column))
        if profile.decimalCommas * 2 > profile.numbers, profile.numbers > 0 {
            rule.options.append(("decimalComma", "true"))
            return (rule, "; amounts are written with a decimal comma")
        }
        return (rule, "")
    }
}
