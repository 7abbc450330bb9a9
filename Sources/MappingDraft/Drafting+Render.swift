import Foundation
import Importers
import Referrals

/// Writes the draft in the presets' layout, every line with where its guess came from.
extension Drafting {
    mutating func render(name requestedName: String?) -> DraftMapping {
        let format = sample.format.rawValue
        let name = requestedName ?? "\(producer.crm)-\(kind.rawValue)-\(producer.shape(format))"
        let system = "\(producer.crm)-\(kind == .lead ? "leads" : "opportunities")"
        var writer = DraftWriter()
        let files = sample.files.prefix(3).joined(separator: ", ") + (sample.files.count > 3 ? ", …" : "")
        writer.comment("Drafted by `refbridge init` from \(files).")
        writer.comment("Recognised: \(producer.rawValue) (\(producerEvidence)); \(kind.rawValue)s (\(kindEvidence)).")
        let more = sample.reachedLimit ? " (the file holds more: at most \(ExportSample.defaultLimit) are sampled)" : ""
        writer.comment("Looked at \(Self.records(sample.records))\(more). Each line says where its guess came from;")
        writer.comment("check the lines marked REVIEW, then: refbridge preview --mapping THIS_FILE \(files)")
        writer.comment("Consent is never guessed: this file does not load until you state it (REVIEW (required) below).")
        writer.line("name: \(YAMLText.scalar(name))", comment: requestedName == nil ? "as the presets are named: crm-kind-shape" : "the file's name")
        writer.line("system: \(YAMLText.scalar(system))", comment: "the ledger keys records by (system, id): keep it once records were sent")
        writer.line("source:")
        writer.line("format: \(format)", comment: formatWhy(), indent: 2)
        if sample.format == .csv { writer.line("encoding: auto", comment: "a BOM decides; else UTF-8, or Windows-1252 when the text is not UTF-8", indent: 2) }
        if let entity = sample.entity {
            let others = sample.entities.filter { $0 != entity }
            writer.line("entity: \(YAMLText.scalar(entity))", comment: others.isEmpty ? "the file's entity" : "the file also holds \(others.joined(separator: ", "))", indent: 2)
        }
        if sample.fields.contains(where: \.hasFormattedValues) {
            writer.line("annotations: true", comment: "the export carries OData labels (Prefer: odata.include-annotations)", indent: 2)
        }
        writer.blank()
        if let key = assignments[.key], let column = key.fields.first {
            writer.line("key: \(YAMLText.scalar(column))", comment: key.why + (key.guessed ? " (REVIEW)" : ""))
        } else {
            // Nothing to choose from (an export without columns): the loader names the fix.
            reviews.append(ReviewItem(required: true, path: "key", message: "no column holds a record id: name it with `key:`"))
        }
        writer.blank()
        let skips = skipRules()
        for skip in skips { used.insert(skip.field.lowercased()) }
        writer.skips(skips)
        writer.blank()
        writer.line("fields:")
        var fields: [DraftField] = []
        func add(_ slot: DraftSlot, _ rule: DraftRule?, note: String = "") {
            guard let path = slot.path, let assignment = assignments[slot], let rule else { return }
            fields.append(DraftField(path: path, rule: rule, comment: assignment.why + note + (assignment.guessed ? " (REVIEW)" : "")))
        }
        func plain(_ slot: DraftSlot) -> DraftRule? {
            guard let assignment = assignments[slot], let column = assignment.fields.first else { return nil }
            return DraftRule(origin: assignment.fields.count > 1 ? .fields(assignment.fields) : .field(column), options: labelOptions(slot))
        }
        // The referral's name: the topic, or (Salesforce leads have none) company and description.
        if assignments[.topic] != nil {
            add(.topic, plain(.topic))
        } else if let company = assignments[.company]?.fields.first {
            if let description = assignments[.notes]?.fields.first {
                fields.append(DraftField(path: "name", rule: DraftRule(origin: .template("{\(company)}: {\(description)}")),
                                         comment: "no topic column: the company and the description, as the Salesforce preset does"))
            } else {
                fields.append(DraftField(path: "name", rule: DraftRule(origin: .field(company)), comment: "no topic column: the company name"))
            }
        }
        var rendered = fields
        fields = []
        for item in rendered { writer.field(item) }
        let rating = profile("Rating") ?? profile("leadqualitycode")
        let shared = rating.map { "; the presets send Hot leads (\(YAMLText.named($0.name))) as Shared" } ?? ""
        writer.line("type: { const: Independent }", comment: "REVIEW: a Shared (co-sell) referral needs your solution profile id as target[0]\(shared)", indent: 2)
        reviews.append(ReviewItem(required: false, path: "type", message: "every referral is drafted Independent; for co-sell (Shared) add your solution profile id as target[0], as the presets do"))
        writer.line("qualification: { const: SalesQualified }", comment: "as the presets: a lead worth sending is sales-qualified", indent: 2)
        writer.line("status: { const: New }", comment: "a referral starts New", indent: 2)
        writer.line("substatus: { const: Pending }", comment: "New's substatus", indent: 2)
        writer.blank()

        add(.company, plain(.company))
        add(.street, plain(.street))
        add(.city, plain(.city))
        add(.state, plain(.state))
        add(.postalCode, plain(.postalCode))
        add(.country, isoRule(.country, lookup: ValueTables.countryCode, isCode: { CountryCodes.normalized($0) != nil }, what: "countries"))
        let fullName = assignments[.firstName]?.fields == assignments[.lastName]?.fields && assignments[.firstName] != nil
        if fullName, var first = plain(.firstName), var last = plain(.lastName) {
            first.options.append(("split", "first"))
            last.options.append(("split", "last"))
            add(.firstName, first)
            add(.lastName, last)
        } else {
            add(.firstName, plain(.firstName))
            add(.lastName, plain(.lastName))
        }
        add(.email, plain(.email))
        add(.phone, plain(.phone))
        for item in fields { writer.field(item) }
        rendered += fields
        fields = []

        consentBlock(&writer)

        add(.notes, plain(.notes))
        if let (rule, note) = dealValueRule() {
            let revenue = producer == .salesforce && assignments[.dealValue]?.fields.first?.lowercased() == "annualrevenue"
            add(.dealValue, rule, note: note + (revenue ? "; REVIEW: the company's revenue, not the deal's" : ""))
            if revenue {
                reviews.append(ReviewItem(required: false, path: "details.dealValue", message: "AnnualRevenue is the company's revenue: many orgs keep the deal size in a custom field"))
            }
        }
        add(.currency, isoRule(.currency, lookup: ValueTables.currencyCode, isCode: { CurrencyCodes.normalized($0) != nil }, what: "currencies"))
        if let (rule, note) = closeDateRule() { add(.closeDate, rule, note: note) }
        add(.industry, industryRule())
        for item in fields { writer.field(item) }
        rendered += fields

        for slot in [DraftSlot.company, .country] where assignments[slot] == nil {
            reviews.append(ReviewItem(required: false, path: slot.path ?? "", message: "no column found for it, and a referral without it is rejected: map it by hand"))
        }
        for slot in DraftSlot.allCases where slot != .key {
            guard let assignment = assignments[slot], assignment.guessed else { continue }
            reviews.append(ReviewItem(required: false, path: slot.path ?? "", message: "\(assignment.why): check it"))
        }
        let unused = sample.fields.filter { !used.contains($0.name.lowercased()) && !$0.name.hasPrefix("(Do Not Modify)") }.map(\.name)
        if !unused.isEmpty {
            writer.blank()
            writer.comment("Columns not used: " + unused.prefix(40).map { YAMLText.named($0) }.joined(separator: ", ") + (unused.count > 40 ? ", …" : ""))
        }

        var draft = DraftMapping(name: name, system: system, producer: producer, kind: kind, sampledRecords: sample.records, sampleReachedLimit: sample.reachedLimit)
        draft.reviews = reviews.sorted { $0.required != $1.required ? $0.required : false }
        for field in rendered { draft.mappedFields[field.path] = field.rule.sourceFields }
        draft.yaml = writer.text
        return draft
    }

    func formatWhy() -> String {
        switch sample.format {
        case .csv: "a CSV export" + (sample.header.map { " (\($0.count) columns)" } ?? "")
        case .json: "a JSON document" + (sample.odataContext != nil ? " (an OData page)" : "")
        case .ndjson: "one JSON object a line"
        case .cmtXML: "a Configuration Migration data.xml (root <entities>)"
        case .xml: "record XML"
        }
    }
}
