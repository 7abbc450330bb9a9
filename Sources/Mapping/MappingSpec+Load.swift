import Foundation
import Importers
import Referrals
public import Yams

extension MappingSpec {
    static let topLevelKeys: Set<String> = ["name", "system", "description", "source", "timezone", "key", "skip", "fields", "strict", "writeback", "incoming"]
    static let ruleKeys: Set<String> = [
        "field", "fields", "template", "const", "when", "default", "map", "formatted", "trim", "case", "split",
        "decimalComma", "date", "timezone", "truncate", "required", "number", "bool", "ifEmpty",
    ]

    /// Loads and checks a mapping file. All problems are reported together, each with its line.
    public static func load(path: String) throws -> MappingSpec {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MappingLoadError(file: path, line: 1, message: "cannot read the mapping file: check the path (presets are in mappings/)")
        }
        return try parse(yaml: text, file: path)
    }

    public static func parse(yaml text: String, file: String) throws -> MappingSpec {
        if let (line, message) = YAMLGuard.check(text) { throw MappingLoadError(file: file, line: line, message: message) }
        var loader = Loader(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw MappingLoadError(file: file, line: 1, message: "the mapping is empty: see docs/mapping-reference.md")
            }
            root = node
        } catch let error as MappingLoadError {
            throw error
        } catch let error as YamlError {
            throw Loader.located(error, file: file)
        } catch {
            throw MappingLoadError(file: file, line: 1, message: "not valid YAML: \(error)")
        }
        var spec = loader.spec(root)
        // The CRM write-back sections (issue #13), read beside the rest.
        let (writeback, incoming, crmErrors) = crmSections(root, file: file)
        loader.errors += crmErrors
        spec?.writeback = writeback
        spec?.incoming = incoming
        spec?.fingerprint = fingerprint(of: text)
        let program = spec.map(MappingProgram.init)
        spec?.program = program
        if !loader.errors.isEmpty {
            if loader.errors.count == 1 { throw loader.errors[0] }
            throw MappingLoadErrors(errors: loader.errors)
        }
        return spec!
    }

    /// See `fingerprint`: the whole text, comments included (cheap to map again once, never wrong).
    static func fingerprint(of text: String) -> SourceDigest {
        var digest = Digest128()
        digest.add("refbridge mapping, mapper output revision \(Mapper.outputRevision)")
        digest.add(text)
        return digest.digest
    }

    /// Source fields the mapping reads that `header` lacks (compared ignoring case). For CSV this is
    /// an error; JSON and XML leave out empty fields, so there the caller reports it as a warning.
    public func check(header: [String]) -> [MappingLoadError] {
        let present = Set(header.map { $0.lowercased() })
        var seen: Set<String> = []
        var problems: [MappingLoadError] = []
        for (name, line) in sourceFields where !present.contains(name.lowercased()) && seen.insert(name.lowercased()).inserted {
            let near = header.filter { $0.lowercased().contains(name.lowercased()) || name.lowercased().contains($0.lowercased()) }.prefix(3)
            let hint = near.isEmpty ? "check the export's header row" : "did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))?"
            problems.append(MappingLoadError(file: file, line: line, message: "source field '\(name)' is not in the input's header: \(hint)"))
        }
        return problems
    }
}

extension MappingSpec {
    /// A YAML error as one line at its place (`file:line:column: not valid YAML: …`), for every YAML
    /// file the project reads: mappings and job files.
    public static func located(_ error: YamlError, file: String) -> MappingLoadError {
        Loader.located(error, file: file)
    }
}

/// Turns the YAML node tree into a spec, collecting errors with their lines.
private struct Loader {
    let file: String
    var errors: [MappingLoadError] = []

    init(file: String) { self.file = file }

    /// A YAML error as one line at its place. Yams' own text carries the position again, a snippet,
    /// and for a duplicate key the whole document. Job files use it too.
    static func located(_ error: YamlError, file: String) -> MappingLoadError {
        func described(_ context: YamlError.Context?, _ problem: String) -> String {
            // libyaml's context ("while parsing a block mapping") names where the construct began.
            let start = context.map { "\($0.text) (from line \($0.mark.line)), " } ?? ""
            return "not valid YAML: \(start)\(problem): check the indentation and quoting there"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            return MappingLoadError(file: file, line: mark.line, column: mark.column, message: described(context, problem))
        case .reader(let problem, let offset, _, let yaml):
            var line = 1
            var column = 1
            for character in yaml.prefix(offset ?? 0) {
                if character == "\n" { line += 1; column = 1 } else { column += 1 }
            }
            return MappingLoadError(file: file, line: line, column: column, message: "not valid YAML: \(problem): save the file as UTF-8 text")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.sorted().first ?? "?"
            let first = context.mark
            let again = repeatedKey(key, after: first, in: context.text) ?? (first.line, first.column)
            let also = duplicates.count > 1 ? " (also \(duplicates.sorted().dropFirst().map { "'\($0)'" }.joined(separator: ", ")))" : ""
            let earlier = again.line == first.line ? "" : " (first at line \(first.line))"
            return MappingLoadError(file: file, line: again.line, column: again.column, message: "'\(key)' is given twice in one mapping\(earlier)\(also): keep one")
        default:
            return MappingLoadError(file: file, line: 1, message: "not valid YAML: \(error)")
        }
    }

    /// Where a block mapping repeats `key` after its first place: the next line at the same
    /// indentation that starts with the key, before the block ends. Nil for flow mappings (`{a: 1, a: 2}`).
    static func repeatedKey(_ key: String, after first: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let indent = first.column - 1
        for number in (first.line + 1)...max(first.line + 1, lines.count) where number <= lines.count {
            let line = lines[number - 1]
            let content = line.drop { $0 == " " }
            let depth = line.count - content.count
            if content.isEmpty || content.hasPrefix("#") { continue }
            if depth < indent { return nil }
            guard depth == indent else { continue }
            for spelling in [key, "\"\(key)\"", "'\(key)'"] where content.hasPrefix(spelling) {
                if content.dropFirst(spelling.count).drop(while: { $0 == " " }).hasPrefix(":") { return (number, depth + 1) }
            }
        }
        return nil
    }

    mutating func error(_ node: Node?, _ message: String) {
        errors.append(MappingLoadError(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message))
    }

    mutating func spec(_ root: Node) -> MappingSpec? {
        guard let top = root.mapping else {
            error(root, "a mapping file is a YAML mapping with source, key, fields: see docs/mapping-reference.md")
            return nil
        }
        for (key, _) in top where !MappingSpec.topLevelKeys.contains(key.string ?? "") {
            error(key, "unknown key '\(key.string ?? "?")': the keys are \(MappingSpec.topLevelKeys.sorted().joined(separator: ", "))")
        }
        let baseName = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let name = top["name"]?.string ?? baseName
        let system = top["system"]?.string ?? name
        let source = sourceSpec(top["source"])
        var timeZone = SourceTimeZone.utc
        if let node = top["timezone"] { timeZone = self.timeZone(node) ?? .utc }
        var key: ValueRule?
        if let node = top["key"] {
            key = rule(node, kind: .string)
        } else {
            error(root, "key is missing: name the source field that holds the CRM record id (it becomes externalReferenceId), e.g. `key: \"(Do Not Modify) Lead\"`")
        }
        var skips: [SkipRule] = []
        if let node = top["skip"] {
            if let list = node.sequence {
                for item in list {
                    guard let map = item.mapping, let whenNode = map["when"] else {
                        error(item, "each skip rule needs `when:` (a condition) and `reason:`")
                        continue
                    }
                    if let condition = condition(whenNode) {
                        skips.append(SkipRule(condition: condition, reason: map["reason"]?.string ?? "skipped by a rule", line: item.mark?.line ?? 1))
                    }
                }
            } else {
                error(node, "skip must be a list of {when: …, reason: …}")
            }
        }
        var fields: [(TargetPath, ValueRule)] = []
        var named: Set<String> = []
        if let node = top["fields"], let map = node.mapping {
            for (pathNode, ruleNode) in map {
                let text = pathNode.string ?? ""
                named.insert(text)
                guard let path = TargetPath(text) else {
                    let suggestions = TargetPath.suggestions(for: text)
                    let hint = suggestions.isEmpty ? "see the list of target paths in docs/mapping-reference.md" : "did you mean \(suggestions.prefix(3).joined(separator: " or "))?"
                    error(pathNode, "'\(text)' is not a referral field: \(hint)")
                    continue
                }
                if fields.contains(where: { $0.0.path == path.path }) {
                    error(pathNode, "'\(text)' is mapped twice: keep one")
                    continue
                }
                if let rule = rule(ruleNode, kind: path.kind) { fields.append((path, rule)) }
            }
        } else {
            error(top["fields"] ?? root, "fields is missing: a mapping of referral paths to source fields, e.g. `customerProfile.name: Company Name`")
        }
        // Consent is the customer's decision: never assumed.
        for required in ["consent.consentToToShareInfoWithOthers", "consent.consentToContact"] where !named.contains(required) {
            error(top["fields"] ?? root, "\(required) is not mapped: consent is never defaulted; set it explicitly (`const: true`/`const: false`, or a source field with yes/no values)")
        }
        var strict = StrictRules()
        if let node = top["strict"] {
            switch StrictRules.parse(node) {
            case .success(let rules): strict = rules
            case .failure(let failure): error(node, failure.message)
            }
        }
        guard let key, errors.isEmpty else { return nil }
        var spec = MappingSpec(name: name, sourceSystem: system, file: file, source: source, key: key, skips: skips, fields: fields, strict: strict, timeZone: timeZone)
        spec.source.importOptions.readFields = spec.readFields
        return spec
    }

    mutating func sourceSpec(_ node: Node?) -> SourceSpec {
        var options = ImportOptions()
        guard let node else { return SourceSpec(importOptions: options) }
        guard let map = node.mapping else {
            error(node, "source must be a mapping (format, encoding, delimiter, entity, recordElement)")
            return SourceSpec(importOptions: options)
        }
        for (key, value) in map {
            switch key.string {
            case "format":
                if let format = value.string.flatMap(ImportFormat.init(rawValue:)) { options.format = format } else {
                    error(value, "format must be one of \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            case "encoding":
                if let encoding = value.string.flatMap({ TextEncodingOption(rawValue: $0.lowercased()) }) { options.encoding = encoding } else {
                    error(value, "encoding must be one of \(TextEncodingOption.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            case "delimiter":
                switch value.string {
                case ",": options.delimiter = UInt8(ascii: ",")
                case ";": options.delimiter = UInt8(ascii: ";")
                case "\t", "tab", "\\t": options.delimiter = 9
                case "|": options.delimiter = UInt8(ascii: "|")
                default: error(value, "delimiter must be \",\", \";\", \"|\" or tab")
                }
            case "entity": options.entity = value.string
            case "recordElement": options.recordElement = value.string
            case "annotations": break  // OData annotations are always read; the key is accepted for clarity.
            default:
                error(key, "unknown source option '\(key.string ?? "?")': the options are format, encoding, delimiter, entity, recordElement")
            }
        }
        return SourceSpec(importOptions: options)
    }

    mutating func timeZone(_ node: Node) -> SourceTimeZone? {
        guard let zone = node.string.flatMap(SourceTimeZone.init) else {
            error(node, "timezone must be an IANA name such as Europe/Berlin or America/New_York, a fixed offset such as +02:00, or UTC")
            return nil
        }
        return zone
    }

    mutating func condition(_ node: Node) -> Condition? {
        guard let map = node.mapping, let field = map["field"]?.string else {
            error(node, "a condition needs `field:` and one of equals, in, notEquals, notIn, empty, notEmpty, is")
            return nil
        }
        func list(_ node: Node) -> [String] { node.sequence?.compactMap(\.string) ?? [node.string ?? ""] }
        if let value = map["equals"] ?? map["in"] { return Condition(field: field, test: .equals(list(value))) }
        if let value = map["notEquals"] ?? map["notIn"] { return Condition(field: field, test: .equals(list(value)), negated: true) }
        if map["empty"]?.bool == true { return Condition(field: field, test: .empty) }
        if map["notEmpty"]?.bool == true { return Condition(field: field, test: .notEmpty) }
        if let value = map["is"] {
            guard let wanted = value.string.flatMap(ValueParsers.strictBool) else {
                error(value, "`is:` takes true or false (the field is read as true/false, 1/0 or yes/no)")
                return nil
            }
            return Condition(field: field, test: .isBool(wanted))
        }
        error(node, "a condition needs one of equals, in, notEquals, notIn, empty: true, notEmpty: true, is: true/false")
        return nil
    }

    /// Checks a constant for a target of `kind`; returns it canonical (enum spelling) or nil.
    mutating func constant(_ text: String, _ kind: TargetKind, _ node: Node) -> String? {
        switch kind {
        case .string: return text
        case .number:
            guard ValueParsers.number(text, decimalComma: false) != nil else { error(node, "'\(text)' is not a number"); return nil }
        case .bool:
            guard ValueParsers.bool(text) != nil else { error(node, "'\(text)' is not true or false"); return nil }
        case .dateTime:
            guard ValueParsers.dateTime(text, format: .iso) != nil else { error(node, "'\(text)' is not a date such as 2024-06-30"); return nil }
        case .enumeration(let values):
            guard let match = values.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
                error(node, "'\(text)' is not one of \(values.joined(separator: ", "))")
                return nil
            }
            return match
        }
        return text
    }

    mutating func rule(_ node: Node, kind: TargetKind) -> ValueRule? {
        let line = node.mark?.line ?? 1
        if let text = node.scalar?.string, node.mapping == nil {
            return ValueRule(origin: .field(text), line: line)
        }
        guard let map = node.mapping else {
            error(node, "a field is a source field name, or a mapping with field, fields, template, const or when")
            return nil
        }
        for (key, _) in map where !MappingSpec.ruleKeys.contains(key.string ?? "") {
            error(key, "unknown option '\(key.string ?? "?")': the options are \(MappingSpec.ruleKeys.sorted().joined(separator: ", "))")
        }
        var origin: ValueRule.Origin?
        let origins = ["field", "fields", "template", "const", "when"].filter { map[$0] != nil }
        if origins.count != 1 {
            error(node, origins.isEmpty ? "say where the value comes from: field, fields, template, const or when" : "use only one of \(origins.joined(separator: ", "))")
        }
        if let field = map["field"]?.string {
            origin = .field(field)
        } else if let list = map["fields"]?.sequence {
            origin = .fields(list.compactMap(\.string))
        } else if let template = map["template"]?.string {
            let parsed = Self.template(template)
            if parsed.parts.isEmpty { error(map["template"], "a template names at least one {field}; use const for fixed text") }
            origin = .template(parsed)
        } else if let value = map["const"] {
            let text = value.string ?? ""
            if let canonical = constant(text, kind, value) { origin = .constant(canonical) }
        } else if let list = map["when"]?.sequence {
            var cases: [(Condition, String)] = []
            for item in list {
                guard let condition = condition(item) else { continue }
                guard let value = item.mapping?["value"] else {
                    error(item, "each `when` case needs `value:`")
                    continue
                }
                if let canonical = constant(value.string ?? "", kind, value) { cases.append((condition, canonical)) }
            }
            var otherwise: String?
            if let value = map["default"] { otherwise = constant(value.string ?? "", kind, value) }
            origin = .cases(cases, otherwise: otherwise)
        }
        guard let origin else { return nil }
        var rule = ValueRule(origin: origin, line: line)
        if let value = map["formatted"] { rule.formatted = value.bool ?? false }
        if let value = map["trim"] { rule.trim = value.bool ?? true }
        if let value = map["truncate"] { rule.truncate = value.bool ?? true }
        if let value = map["required"] { rule.required = value.bool ?? false }
        if let value = map["decimalComma"] { rule.decimalComma = value.bool ?? false }
        if let value = map["bool"] { rule.readsBool = value.bool ?? false }
        if let value = map["timezone"] { rule.timeZone = timeZone(value) }
        if let value = map["ifEmpty"] {
            if case .constant = origin { error(value, "ifEmpty goes with a source field: a constant is never empty") }
            rule.ifEmpty = constant(value.string ?? "", kind, value)
        }
        if let value = map["number"], let options = value.mapping { rule.decimalComma = options["decimalComma"]?.bool ?? false }
        if let value = map["case"] {
            if let letterCase = value.string.flatMap(ValueParsers.Case.init(rawValue:)) { rule.letterCase = letterCase } else { error(value, "case must be upper, lower or title") }
        }
        if let value = map["split"] {
            if let part = value.string.flatMap(ValueParsers.NamePart.init(rawValue:)) { rule.namePart = part } else { error(value, "split must be first or last (of a full name)") }
        }
        if let value = map["date"] {
            if let format = value.string.flatMap(ValueParsers.DateFormat.init(rawValue:)) { rule.dateFormat = format } else {
                error(value, "date must be one of \(ValueParsers.DateFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let mapNode = map["map"] {
            guard let entries = mapNode.mapping else {
                error(mapNode, "map must be a mapping of source values to referral values")
                return rule
            }
            var table: [String: String] = [:]
            var asWritten: [String: String] = [:]
            for (from, to) in entries {
                guard let target = to.string, let canonical = constant(target, kind, to) else { continue }
                let key = (from.string ?? "").trimmingCharacters(in: .whitespaces)
                table[key.lowercased()] = canonical
                asWritten[key] = canonical
            }
            rule.map = table
            rule.mapAsWritten = asWritten
            if case .cases = origin {} else {
                guard let fallback = map["default"]?.string else {
                    error(mapNode, "a map needs `default:`: a value, `keep` (pass unmapped values on), or `reject` (refuse the record)")
                    return rule
                }
                switch fallback.lowercased() {
                case "reject": rule.unmapped = .reject
                case "keep": rule.unmapped = .keep
                default:
                    if let canonical = constant(fallback, kind, map["default"]!) { rule.unmapped = .value(canonical) }
                }
            }
        } else if map["default"] != nil, case .cases = origin {} else if let value = map["default"] {
            error(value, "default goes with map or when")
        }
        return rule
    }

    /// `"{Company}: {Description}"` → parts (`""`, Company) and (`": "`, Description): each
    /// placeholder with the literal text before it (see `ValueRule.Template` for when it is written).
    static func template(_ text: String) -> ValueRule.Template {
        var template = ValueRule.Template(parts: [], trailing: "")
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "{", let close = text[index...].firstIndex(of: "}") {
                template.parts.append((literal, String(text[text.index(after: index)..<close])))
                literal = ""
                index = text.index(after: close)
            } else {
                literal.append(text[index])
                index = text.index(after: index)
            }
        }
        template.trailing = literal
        return template
    }
}
