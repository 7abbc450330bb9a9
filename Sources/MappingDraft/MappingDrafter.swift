/// Drafts a complete mapping from a sample of an export: the key and system, every referral field
/// a known or similar column name (or the values themselves) can fill, value maps from the values
/// seen, skip rules from status values, and consent left as a required REVIEW item.
public enum MappingDrafter {
    /// - Parameters:
    ///   - kind: lead or opportunity; nil recognises it from the sample.
    ///   - name: the mapping's `name:`; nil names it as the presets are named (`dynamics-lead-excel-csv`).
    public static func draft(_ sample: ExportSample, kind: RecordKind? = nil, name: String? = nil) -> DraftMapping {
        var drafting = Drafting(sample: sample, kind: kind)
        drafting.assignKnownNames()
        drafting.assignSimilarHeaders()
        drafting.assignByValues()
        drafting.assignKey()
        return drafting.render(name: name)
    }
}

/// A column chosen for a slot, and why.
struct Assignment {
    var fields: [String]
    var why: String
    /// Matched by a similar header or by values, not by a name refbridge knows: worth a look.
    var guessed = false
}

/// One draft in the making. Columns are taken in three passes, most certain first, each column
/// once: names refbridge knows, then similar headers, then values; the key last, so that an id
/// guessed from uniqueness never takes a column a name claimed. Its extensions write the value
/// maps, the skip rules, the consent item and the file.
struct Drafting {
    let sample: ExportSample
    let producer: Producer
    let producerEvidence: String
    let kind: RecordKind
    let kindEvidence: String
    var assignments: [DraftSlot: Assignment] = [:]
    var used: Set<String> = []
    var reviews: [ReviewItem] = []

    init(sample: ExportSample, kind requested: RecordKind?) {
        self.sample = sample
        (producer, producerEvidence) = Producer.recognise(sample)
        if let requested {
            kind = requested
            kindEvidence = "--kind \(requested.rawValue)"
        } else {
            (kind, kindEvidence) = RecordKind.recognise(sample)
        }
    }

    func profile(_ name: String) -> FieldProfile? { sample.field(name) }

    mutating func assign(_ slot: DraftSlot, _ fields: [String], why: String, guessed: Bool = false) {
        assignments[slot] = Assignment(fields: fields, why: why, guessed: guessed)
        for field in fields { used.insert(field.lowercased()) }
    }

    /// Columns a fuzzy or value match may take: not the hidden Dynamics columns, not annotations
    /// or CMT attributes (`@id`), and not already mapped.
    func eligible(_ profile: FieldProfile) -> Bool {
        !used.contains(profile.name.lowercased()) && !profile.name.hasPrefix("(Do Not Modify)") && !profile.name.contains("@")
    }

    // MARK: known names

    mutating func assignKnownNames() {
        for slot in DraftSlot.allCases {
            let known = FieldCatalog.names(for: slot, kind: kind, producer: producer).filter { candidate in
                profile(candidate.name).map { !used.contains($0.name.lowercased()) } ?? false
            }
            guard let first = known.first, let found = profile(first.name) else { continue }
            var fields = [found.name]
            var why = "\(first.family.rawValue) \(YAMLText.named(found.name))"
            if first.family == .logical, first.name.contains(".") { why += " (the expanded related record)" }
            // Salesforce orgs with State and Country picklists write both the ISO code and the name.
            if slot == .country, known.count > 1, first.family == .salesforce, let second = profile(known[1].name), known[1].family == .salesforce {
                fields.append(second.name)
                why = "Salesforce API names \(YAMLText.named(found.name)) then \(YAMLText.named(second.name)): the ISO code when the org has country picklists"
            }
            if slot.prefersLabel, found.hasFormattedValues { why += ", read by its label" }
            assign(slot, fields, why: why)
        }
    }

    // MARK: similar headers

    /// The share of a column's values that fit `slot`, and how to say it, for the slots values tell.
    static func valueEvidence(_ slot: DraftSlot, _ profile: FieldProfile) -> (share: Double, label: String)? {
        switch slot {
        case .email: (profile.share(profile.emails), "e-mails")
        case .phone: (profile.share(profile.phones), "phone numbers")
        case .country: (profile.share(profile.countries), "countries")
        case .currency: (profile.share(profile.currencies), "currencies")
        case .closeDate: (profile.share(profile.isoDates + profile.numericDates), "dates")
        case .dealValue: (profile.share(profile.numbers), "amounts")
        default: nil
        }
    }

    mutating func assignSimilarHeaders() {
        var candidates: [(slot: DraftSlot, field: String, score: Double, why: String)] = []
        for slot in DraftSlot.allCases where slot != .key && assignments[slot] == nil {
            for field in sample.fields where eligible(field) {
                guard let match = HeaderMatcher.match(field.name, slot) else { continue }
                var score = match.score
                var why = "header \(YAMLText.named(field.name)) is like '\(match.synonym)'"
                if let evidence = Self.valueEvidence(slot, field), field.filled > 0 {
                    if evidence.share >= 0.8 {
                        score += 0.1
                        why += "; \(FieldProfile.percent(evidence.share)) of values look like \(evidence.label)"
                    } else if field.filled >= 5, evidence.share < 0.3 {
                        // The name says e-mail but the values do not: leave it to the value pass.
                        continue
                    }
                }
                candidates.append((slot, field.name, score, why))
            }
        }
        // Best matches first; each slot and each column is taken once.
        for candidate in candidates.sorted(by: { $0.score > $1.score }) where candidate.score >= 0.6 {
            guard assignments[candidate.slot] == nil, !used.contains(candidate.field.lowercased()) else { continue }
            assign(candidate.slot, [candidate.field], why: candidate.why, guessed: true)
        }
        // A full name alone ("Contact", "Full Name") gives first and last name by `split:`.
        if assignments[.firstName] == nil, assignments[.lastName] == nil,
            let full = sample.fields.first(where: { eligible($0) && Self.isFullNameHeader($0.name) }) {
            assign(.firstName, [full.name], why: "header \(YAMLText.named(full.name)) holds a full name: its first part", guessed: true)
            assign(.lastName, [full.name], why: "header \(YAMLText.named(full.name)) holds a full name: its last part", guessed: true)
            used.insert(full.name.lowercased())
        }
    }

    static func isFullNameHeader(_ name: String) -> Bool {
        let words = HeaderMatcher.words(name)
        return ["full name", "fullname", "contact name", "contact", "name of contact", "person", "lead name"].contains(words.joined(separator: " "))
    }

    // MARK: values

    mutating func assignByValues() {
        let slots: [DraftSlot] = [.email, .country, .currency, .phone, .closeDate, .dealValue]
        for slot in slots where assignments[slot] == nil {
            var best: (field: FieldProfile, share: Double, label: String)?
            for field in sample.fields where eligible(field) && field.filled > 0 {
                guard let evidence = Self.valueEvidence(slot, field), evidence.share >= 0.8 else { continue }
                // The owner's e-mail or the creation date look right by their values and are not the customer's.
                if !Set(HeaderMatcher.words(field.name)).isDisjoint(with: ["owner", "user", "created", "modified", "checksum"]) { continue }
                if slot == .closeDate || slot == .dealValue {
                    // A date or number alone says little (created on, employees): only where the
                    // header does not say it is something else.
                    let words = Set(HeaderMatcher.words(field.name))
                    if !words.isDisjoint(with: ["created", "modified", "birth", "employees", "count", "number", "no", "probability", "id", "zip", "postal", "phone"]) { continue }
                    if slot == .dealValue, field.share(field.decimals) < 0.5 { continue }
                }
                if evidence.share > (best?.share ?? 0) { best = (field, evidence.share, evidence.label) }
            }
            guard let best else { continue }
            assign(slot, [best.field.name], why: "\(FieldProfile.percent(best.share)) of values of \(YAMLText.named(best.field.name)) look like \(best.label)", guessed: true)
        }
    }

    // MARK: key

    mutating func assignKey() {
        if let found = assignments[.key] {
            let column = found.fields.first ?? ""
            assignments[.key]?.why = column == "@id" ? "the CMT record's id attribute"
                : column.hasPrefix("(Do Not Modify) ") ? "the hidden column \(YAMLText.named(column)) holds the record GUID" : found.why + ": the record id"
            return
        }
        let hidden = sample.fields.first { $0.name.hasPrefix("(Do Not Modify) ") && !$0.name.hasSuffix("Row Checksum") && !$0.name.hasSuffix("Modified On") }
        if let hidden {
            assign(.key, [hidden.name], why: "the hidden column \(YAMLText.named(hidden.name)) holds the record GUID")
            return
        }
        // Filled in every sampled record, and (as far as the kept values tell) never twice the same.
        let unique = sample.fields.filter { field in
            field.filled > 0 && field.filled == sample.records && (field.manyValues || field.values.count == field.filled)
        }
        let byName = unique.first { HeaderMatcher.match($0.name, .key).map { $0.score >= 0.7 } ?? false }
        let byGUID = unique.first { $0.share($0.guids) >= 0.95 }
        if let chosen = byName ?? byGUID ?? unique.first ?? sample.fields.first {
            let why = byName != nil ? "header \(YAMLText.named(chosen.name)) names an id, and every sampled record has a different one"
                : byGUID != nil ? "every value of \(YAMLText.named(chosen.name)) is a GUID, a different one per record"
                : "the first column with a different value in every sampled record"
            assign(.key, [chosen.name], why: why, guessed: true)
            reviews.append(ReviewItem(required: false, path: "key", message: "\(YAMLText.named(chosen.name)) was chosen as the record id (\(why)): it becomes externalReferenceId and the ledger's key, so it must never change for a record"))
        }
    }
}
