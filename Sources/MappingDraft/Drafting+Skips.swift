import Foundation
/// Skip rules drafted from status columns: records that are closed, converted or disqualified in
/// the CRM are not sent, as the presets do.
extension Drafting {
    /// Whether a status value says the record is finished (lost, closed, converted, disqualified…).
    static func looksClosed(_ value: String, kind: RecordKind) -> Bool {
        let text = value.lowercased()
        let words = Set(HeaderMatcher.words(value))
        let phrases = ["disqualif", "unqualif", "cancel", "no longer interested", "cannot contact", "not converted", "out-sold", "outsold"]
        if phrases.contains(where: text.contains) { return true }
        if !words.isDisjoint(with: ["lost", "closed", "converted", "junk", "dead", "declined", "rejected"]) { return true }
        return kind == .opportunity && words.contains("won")
    }

    func seen(_ profile: FieldProfile, codes: Bool = false) -> String {
        let table = codes && !profile.codes.isEmpty ? profile.codes : profile.values
        let values = table.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return values.prefix(10).map { "\($0.key) (\($0.value))" }.joined(separator: ", ") + (values.count > 10 ? ", …" : "")
    }

    mutating func skipRules() -> [DraftSkip] {
        switch producer {
        case .salesforce: return salesforceSkips()
        case .dynamicsExcel, .dataverseWebAPI, .dynamicsCMT: return dynamicsSkips() ?? genericSkips()
        case .unknown: return dynamicsSkips() ?? salesforceSkipsIfAny() ?? genericSkips()
        }
    }

    /// statecode (logical), or the Excel "Status" label, or status reasons.
    mutating func dynamicsSkips() -> [DraftSkip]? {
        if let state = profile("statecode") {
            let values = seen(state, codes: true)
            switch kind {
            case .lead:
                return [DraftSkip(field: state.name, test: "in", values: ["1", "2"], reason: "qualified or disqualified lead",
                                  comment: "statecode 1 Qualified, 2 Disqualified; seen: \(values)")]
            case .opportunity:
                return [DraftSkip(field: state.name, test: "notEquals", values: ["0"], reason: "closed opportunity",
                                  comment: "statecode 1 Won, 2 Lost: only open opportunities are shared; seen: \(values)")]
            }
        }
        let labels: Set<String> = kind == .lead ? ["open", "qualified", "disqualified"] : ["open", "won", "lost"]
        if let status = profile("Status"), !status.values.isEmpty, status.values.keys.allSatisfy({ labels.contains($0.lowercased()) }) {
            let closed = kind == .lead ? ["Qualified", "Disqualified"] : ["Won", "Lost"]
            return [DraftSkip(field: status.name, test: "in", values: closed, reason: kind == .lead ? "qualified or disqualified lead" : "closed opportunity",
                              comment: "display name 'Status' (the record's state); seen: \(seen(status))")]
        }
        guard let reason = profile("Status Reason") ?? profile("statuscode") else { return nil }
        let numeric = !reason.values.isEmpty && reason.values.keys.allSatisfy { Int($0) != nil }
        let seenClosed = reason.values.keys.filter { Self.looksClosed($0, kind: kind) && $0.lowercased() != "qualified" }.sorted()
        let origin = reason.name == "statuscode" ? "logical name 'statuscode'" : "display name \(YAMLText.named(reason.name))"
        switch kind {
        case .lead:
            let lost = numeric ? ["4", "5", "6", "7"] : Self.union(["Lost", "Cannot Contact", "No Longer Interested", "Canceled"], seenClosed)
            return [
                DraftSkip(field: reason.name, test: "in", values: lost, reason: "disqualified lead",
                          comment: "\(origin): the disqualified status reasons\(numeric ? " (4 Lost … 7 Canceled)" : ""); seen: \(seen(reason))"),
                DraftSkip(field: reason.name, test: "in", values: [numeric ? "3" : "Qualified"], reason: "qualified lead (it continues as an opportunity)",
                          comment: "a qualified lead became an opportunity"),
            ]
        case .opportunity:
            let closed = numeric ? ["3", "4", "5"] : Self.union(["Won", "Canceled", "Out-Sold"], seenClosed)
            return [DraftSkip(field: reason.name, test: "in", values: closed, reason: "closed opportunity",
                              comment: "\(origin): won, canceled and out-sold opportunities are closed; seen: \(seen(reason))")]
        }
    }

    static func union(_ standard: [String], _ seen: [String]) -> [String] {
        standard + seen.filter { value in !standard.contains { $0.caseInsensitiveCompare(value) == .orderedSame } }
    }

    mutating func salesforceSkipsIfAny() -> [DraftSkip]? {
        let rules = salesforceSkips()
        return rules.isEmpty ? nil : rules
    }

    /// IsConverted / IsClosed, and closed lead statuses or stages.
    mutating func salesforceSkips() -> [DraftSkip] {
        var rules: [DraftSkip] = []
        let flag = kind == .lead ? "IsConverted" : "IsClosed"
        if let converted = profile(flag) {
            rules.append(DraftSkip(field: converted.name, test: "is", values: ["true"], reason: kind == .lead ? "converted lead" : "closed opportunity",
                                   comment: "Salesforce API name '\(flag)': true, 1 or yes; seen: \(seen(converted))"))
        }
        let statusName = kind == .lead ? "Status" : "StageName"
        if let status = profile(statusName) {
            let standard = kind == .lead ? ["Closed - Not Converted", "Closed - Converted"] : ["Closed Won", "Closed Lost"]
            let closed = Self.union(standard, status.values.keys.filter { Self.looksClosed($0, kind: kind) }.sorted())
            rules.append(DraftSkip(field: status.name, test: "in", values: closed, reason: kind == .lead ? "closed lead" : "closed opportunity",
                                   comment: "Salesforce API name '\(statusName)': closed values, standard and seen; seen: \(seen(status))"))
            let kept = status.values.keys.filter { value in !closed.contains { $0.caseInsensitiveCompare(value) == .orderedSame } }.sorted()
            if !kept.isEmpty {
                reviews.append(ReviewItem(required: false, path: "skip", message: "records with \(statusName) \(kept.prefix(8).map { YAMLText.named($0) }.joined(separator: ", ")) are sent: add any that mean the record is finished"))
            }
        }
        return rules
    }

    /// An unknown export: a column named like a status or stage whose values say closed.
    mutating func genericSkips() -> [DraftSkip] {
        let status = sample.fields.first { field in
            guard eligible(field), !field.values.isEmpty, field.values.count <= 30 else { return false }
            let words = Set(HeaderMatcher.words(field.name))
            return !words.isDisjoint(with: ["status", "stage", "phase", "statuscode", "statecode"]) && !words.contains("province")
        }
        guard let status else { return [] }
        let closed = status.values.keys.filter { Self.looksClosed($0, kind: kind) }.sorted()
        let kept = status.values.keys.filter { !Self.looksClosed($0, kind: kind) }.sorted()
        if !kept.isEmpty {
            reviews.append(ReviewItem(required: false, path: "skip", message: "records with \(YAMLText.named(status.name)) \(kept.prefix(8).map { YAMLText.named($0) }.joined(separator: ", ")) are sent: add any that mean the record is finished"))
        }
        guard !closed.isEmpty else { return [] }
        return [DraftSkip(field: status.name, test: "in", values: closed, reason: kind == .lead ? "closed lead" : "closed opportunity",
                          comment: "header \(YAMLText.named(status.name)) reads like a status; these values say closed; seen: \(seen(status))")]
    }
}
