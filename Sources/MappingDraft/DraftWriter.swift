/// Renders a draft as a mapping file in the presets' layout: a header comment, name, system,
/// source, key, skip, then fields, each line with a comment saying where the guess came from.
struct DraftWriter {
    var lines: [String] = []

    mutating func comment(_ text: String, indent: Int = 0) {
        lines.append(String(repeating: " ", count: indent) + "# " + YAMLText.comment(text))
    }

    mutating func blank() { lines.append("") }

    mutating func line(_ text: String, comment: String? = nil, indent: Int = 0) {
        var line = String(repeating: " ", count: indent) + text
        if let comment, !comment.isEmpty { line += "   # " + YAMLText.comment(comment) }
        lines.append(line)
    }

    mutating func skips(_ skips: [DraftSkip]) {
        guard !skips.isEmpty else { return }
        line("skip:")
        for skip in skips {
            let test: String
            switch skip.test {
            case "is": test = "is: \(skip.values.first ?? "true")"
            case "notEquals": test = "notEquals: \(YAMLText.quoted(skip.values.first ?? ""))"
            default: test = "in: [" + skip.values.map(Self.listItem).joined(separator: ", ") + "]"
            }
            line("- when: { field: \(YAMLText.scalar(skip.field)), \(test) }", comment: skip.comment, indent: 2)
            line("reason: \(YAMLText.scalar(skip.reason))", indent: 4)
        }
    }

    /// Values in a flow list: quoted unless plain (codes such as "1" always quoted).
    static func listItem(_ text: String) -> String { YAMLText.scalar(text) }

    mutating func field(_ field: DraftField) {
        let rule = field.rule
        let path = field.path
        if rule.options.isEmpty, rule.map == nil, case .field(let name) = rule.origin {
            line("\(path): \(YAMLText.scalar(name))", comment: field.comment, indent: 2)
            return
        }
        var origin: String
        switch rule.origin {
        case .field(let name): origin = "field: \(YAMLText.scalar(name))"
        case .fields(let names): origin = "fields: [" + names.map(YAMLText.scalar).joined(separator: ", ") + "]"
        case .template(let template): origin = "template: \(YAMLText.quoted(template))"
        case .constant(let value): origin = "const: \(YAMLText.scalar(value))"
        }
        let options = rule.options.map { "\($0.key): \($0.value)" }
        guard let map = rule.map else {
            line("\(path): { " + ([origin] + options).joined(separator: ", ") + " }", comment: field.comment, indent: 2)
            return
        }
        line("\(path):", comment: field.comment, indent: 2)
        line(origin, indent: 4)
        for option in options { line(option, indent: 4) }
        if map.isEmpty {
            line("map: {}", indent: 4)
        } else {
            line("map:", indent: 4)
            for entry in map { line("\(YAMLText.scalar(entry.from)): \(YAMLText.scalar(entry.to))", comment: entry.comment, indent: 6) }
        }
        let fallback = rule.unmapped ?? "reject"
        let written = fallback == "keep" || fallback == "reject" ? fallback : (fallback.isEmpty ? "\"\"" : YAMLText.scalar(fallback))
        line("default: \(written)", comment: rule.unmappedComment, indent: 4)
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}
