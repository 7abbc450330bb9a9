import Importers

/// What wrote the export: decides which column names are looked for first and how the draft is named.
public enum Producer: String, Sendable, CaseIterable {
    /// Dynamics 365 "Export to Excel", saved as CSV: display-name headers, `(Do Not Modify)` columns.
    case dynamicsExcel = "Dynamics 365 Excel export"
    /// A Dataverse Web API page (OData JSON) or NDJSON of its rows: logical names, annotations.
    case dataverseWebAPI = "Dataverse Web API export"
    /// A Configuration Migration Tool `data.xml`: logical names, codes, lookups by name.
    case dynamicsCMT = "Configuration Migration data.xml"
    /// A Salesforce report or Data Loader / Data Export Service file: API names.
    case salesforce = "Salesforce export"
    case unknown = "unknown export"

    /// The CRM part of the system name and of the file name (`dynamics-leads`).
    var crm: String {
        switch self {
        case .dynamicsExcel, .dataverseWebAPI, .dynamicsCMT: "dynamics"
        case .salesforce: "salesforce"
        case .unknown: "crm"
        }
    }

    /// The shape part of a draft's file name, as the presets are named (`dynamics-lead-excel-csv`).
    func shape(_ format: String) -> String {
        switch self {
        case .dynamicsExcel: "excel-csv"
        case .dataverseWebAPI: "webapi-json"
        case .dynamicsCMT: "cmt-xml"
        case .salesforce, .unknown: format
        }
    }

    /// Recognises the producer from the sample's format and field names (compared ignoring case).
    static func recognise(_ sample: ExportSample) -> (producer: Producer, evidence: String) {
        let names = sample.fields.map { $0.name.lowercased() }
        let has = { (name: String) in names.contains(name.lowercased()) }
        switch sample.format {
        case .cmtXML:
            return (.dynamicsCMT, "the root element is <entities> with <record id> and <field name value>")
        case .json, .ndjson:
            if sample.odataContext != nil { return (.dataverseWebAPI, "an @odata.context names the Web API") }
            if sample.fields.contains(where: \.hasFormattedValues) { return (.dataverseWebAPI, "OData formatted-value annotations") }
            if has("leadid") || has("opportunityid") { return (.dataverseWebAPI, "Dataverse logical names (leadid / opportunityid)") }
            let salesforce = names.filter { FieldCatalog.salesforceNames.contains($0) }.count
            if has("id"), salesforce >= 3 { return (.salesforce, "\(salesforce) Salesforce API names") }
            return (.unknown, "no Dataverse or Salesforce names")
        case .csv, .xml:
            if let column = sample.fields.first(where: { $0.name.hasPrefix("(Do Not Modify) ") }) {
                return (.dynamicsExcel, "the hidden column '\(column.name)'")
            }
            let display = names.filter { FieldCatalog.dynamicsDisplayNames.contains($0) }.count
            let logical = names.filter { FieldCatalog.dynamicsLogicalNames.contains($0) }.count
            let salesforce = names.filter { FieldCatalog.salesforceNames.contains($0) }.count
            if salesforce >= 4, salesforce >= display, salesforce >= logical, has("id") {
                return (.salesforce, "\(salesforce) Salesforce API names and an Id column")
            }
            if display >= 5, display >= logical { return (.dynamicsExcel, "\(display) Dynamics display names") }
            if logical >= 5 { return (.dataverseWebAPI, "\(logical) Dataverse logical names") }
            return (.unknown, "no hidden Dynamics columns and few known names")
        }
    }
}

/// Lead or opportunity: what the records are, for names, skip rules and the system name.
public enum RecordKind: String, Sendable, CaseIterable {
    case lead
    case opportunity

    /// From the sample: a CMT entity, an OData entity set, a hidden column, an id or Salesforce
    /// opportunity fields; a lead when nothing says otherwise.
    static func recognise(_ sample: ExportSample) -> (kind: RecordKind, evidence: String) {
        let names = Set(sample.fields.map { $0.name.lowercased() })
        if let entity = sample.entity, let kind = RecordKind(rawValue: entity) { return (kind, "the CMT entity '\(entity)'") }
        if let context = sample.odataContext?.lowercased() {
            if context.contains("#opportunities") { return (.opportunity, "the OData context names opportunities") }
            if context.contains("#leads") { return (.lead, "the OData context names leads") }
        }
        if names.contains("(do not modify) opportunity") || names.contains("opportunityid") { return (.opportunity, "an opportunity id column") }
        if names.contains("(do not modify) lead") || names.contains("leadid") { return (.lead, "a lead id column") }
        if names.contains("stagename") || names.contains("isclosed") || names.contains("iswon") { return (.opportunity, "Salesforce opportunity fields (StageName)") }
        return (.lead, "nothing names opportunities")
    }
}
