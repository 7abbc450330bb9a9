public import Importers
public import Referrals
import Synchronization

/// A problem that keeps a record from becoming a referral.
public struct MappingIssue: Sendable, Hashable, Codable {
    /// The referral path, or the source field when the problem is in the input.
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// A record mapped to a valid referral.
///
/// A class: a referral is about a kilobyte of fields and references, and an outcome is handed from
/// the mapper through batches to the report; sharing it costs one reference count per hand-off.
public final class MappedReferral: Sendable {
    public let externalReferenceId: String
    public let referral: Referral
    public let warnings: [String]

    public init(externalReferenceId: String, referral: Referral, warnings: [String]) {
        self.externalReferenceId = externalReferenceId
        self.referral = referral
        self.warnings = warnings
    }
}

extension MappedReferral {
    /// `ReferralJSON.encode(referral)`. Here, in the class's own module, the referral is read in
    /// place; a caller in another module copied the struct out first (retaining and then releasing
    /// each of its two dozen strings and objects), 2 % of a CSV preview.
    public func encodedReferral() -> [UInt8] {
        ReferralJSON.encode(referral)
    }

    /// The same bytes, written through `scratch` into a page of `pages` (see `Mapper.encode(_:)`).
    func encodedReferral(reusing scratch: inout JSONBytes, into pages: inout JSONPageWriter) -> JSONSpan {
        ReferralJSON.encode(referral, reusing: &scratch, into: &pages)
    }
}

public enum MappingOutcome: Sendable {
    case mapped(MappedReferral)
    case skipped(externalReferenceId: String?, reason: String)
    case rejected(externalReferenceId: String?, issues: [MappingIssue])
}

/// Maps source records with one spec.
///
/// The spec is compiled once (`MappingProgram`): every source field name the mapping reads gets a
/// slot, and a slot is resolved to a column once per distinct header (every record of a CSV file
/// shares its header), so a record costs array reads, not name lookups. Not thread-safe: one mapper
/// per thread.
public final class Mapper {
    public let spec: MappingSpec
    private let program: MappingProgram
    private let key: CompiledRule
    /// The skip rules' conditions, unretained (`program` keeps them), and their reasons by position.
    private let skipConditions: [Unmanaged<CompiledCondition>]
    private let skipReasons: [String]
    /// The program's fields, unretained (`program` keeps them): the per-record loop borrows each
    /// field instead of retaining it.
    private let fieldReferences: [Unmanaged<CompiledField>]
    /// The mapping's field names, as spelled in the mapping, to their slot.
    private let slots: [String: Int]
    private var cachedNames: [String] = []
    /// Slot → column in the current header, or -1 when absent. Memory of the mapper's own (one slot
    /// each, written by `resolve`): a record's `Columns` points into it, where arrays cost a retain
    /// and a release per record.
    private let positions: UnsafeMutableBufferPointer<Int>
    /// Slot → column of its `@OData.Community.Display.V1.FormattedValue` annotation, or -1.
    private let formattedPositions: UnsafeMutableBufferPointer<Int>
    /// For the probe of a record with deferred fields (see `probe`), for the current header: the
    /// columns the key rule reads and the digest of the header's names. nil until the first such
    /// probe after `resolve`: a preview's mappers never make it.
    private var keyLayout: (columns: [Int], headerDigest: SourceDigest)?
    /// A row of values, all `.null` between probes, that a deferred probe decodes the key's columns into.
    private var keyRow = UnsafeMutableBufferPointer<SourceValue>(start: nil, count: 0)
    /// Set when an `is:` condition met a value that is not a boolean: the record is rejected with it.
    private var unreadableCondition: MappingIssue?
    /// What `encode(_:)` writes into before the bytes become an array: one buffer per mapper, not a
    /// kilobyte allocated and freed for every record (a size glibc serves from its bins, not its
    /// thread cache, with a consolidation pass now and then).
    private var scratch = JSONBytes()
    /// Where `encode(_:)` keeps the bytes: the referrals this mapper encodes share pages (`JSONPage`).
    private var pages = JSONPageWriter()

    public init(_ spec: MappingSpec) {
        self.spec = spec
        let program = spec.program ?? MappingProgram(spec)
        self.program = program
        slots = program.slots
        key = program.key
        skipConditions = program.skips.map { Unmanaged.passUnretained($0.condition) }
        skipReasons = program.skips.map(\.reason)
        fieldReferences = program.fields.map { Unmanaged.passUnretained($0) }
        positions = .allocate(capacity: slots.count)
        positions.initialize(repeating: -1)
        formattedPositions = .allocate(capacity: slots.count)
        formattedPositions.initialize(repeating: -1)
    }

    deinit {
        positions.deallocate()
        formattedPositions.deallocate()
        keyRow.deinitialize()
        keyRow.deallocate()
    }

    /// `body` with `source`'s values and the slot positions of its header. Deferred fields are
    /// decoded here, on the mapping thread that also frees them.
    private func withColumns<Result>(of source: SourceRecord, _ body: (Columns) -> Result) -> Result {
        if source.names != cachedNames { resolve(source.names) }
        unreadableCondition = nil
        let columns = { (values: UnsafeBufferPointer<SourceValue>) in
            body(Columns(values: values, positions: UnsafeBufferPointer(self.positions), formattedPositions: UnsafeBufferPointer(self.formattedPositions)))
        }
        if let deferred = source.deferred { return deferred.values().withUnsafeBufferPointer(columns) }
        return source.values.withUnsafeBufferPointer(columns)
    }

    /// `mapped.encodedReferral()`, through this mapper's reused buffer, into its pages.
    public func encode(_ mapped: MappedReferral) -> JSONSpan {
        mapped.encodedReferral(reusing: &scratch, into: &pages)
    }

    static let formattedSuffix = "@OData.Community.Display.V1.FormattedValue"

    /// What the mapper's output depends on besides the source values and the mapping's text: bump it
    /// in any change that makes some record map to other bytes (a parser, a rule, the JSON writer),
    /// so that ledgers map every record again instead of trusting their stored `SourceDigest`s.
    /// `MapperRevisionTests` fails on such a change until it is bumped.
    public static let outputRevision = 1

    /// A record's id and `SourceDigest`, without mapping it: what the ledger is asked about before
    /// the record is mapped. The id is nil when the mapping would reject the record for having none.
    ///
    /// A record with deferred fields (CSV, read by the stream) is digested as its bytes, with its
    /// header's names and its delimiter, which decide its values; only the key's columns are
    /// decoded. Its digest differs from the values digest of the same record decoded: a ledger
    /// noted by the other kind maps each record once more, then settles it.
    public func probe(_ source: SourceRecord) -> (externalId: String?, digest: SourceDigest) {
        guard let fields = source.deferred else { return withColumns(of: source) { probe($0) } }
        if source.names != cachedNames { resolve(source.names) }
        let layout = keyLayout ?? resolveKey(source.names)
        for column in layout.columns where column < fields.count { keyRow[column] = fields.value(at: column) }
        let columns = Columns(values: UnsafeBufferPointer(keyRow), positions: UnsafeBufferPointer(positions), formattedPositions: UnsafeBufferPointer(formattedPositions))
        var key = text(of: key, in: columns) ?? ""
        for column in layout.columns { keyRow[column] = .null }
        unreadableCondition = nil
        FastText.trim(&key)
        var digest = Digest128()
        digest.add(spec.fingerprint)
        digest.add(layout.headerDigest)
        digest.add(length: Int(fields.delimiter))
        fields.withBytes { digest.add($0) }
        return (key.isEmpty ? nil : key, digest.digest)
    }

    private func probe(_ record: Columns) -> (externalId: String?, digest: SourceDigest) {
        var key = text(of: key, in: record) ?? ""
        FastText.trim(&key)
        var digest = Digest128()
        digest.add(spec.fingerprint)
        // Every value the mapping can read, slot by slot: the field and its OData label.
        for slot in record.positions.indices {
            add(record.positions[slot], of: record, to: &digest)
            add(record.formattedPositions[slot], of: record, to: &digest)
        }
        return (key.isEmpty ? nil : key, digest.digest)
    }

    public func map(_ source: SourceRecord) -> MappingOutcome {
        withColumns(of: source) { map($0) }
    }

    private func map(_ record: Columns) -> MappingOutcome {
        // Unwrapped, not `?? ""`: the default made the optimizer copy the id (a retain and a release).
        guard var key = text(of: key, in: record) else { return Self.noKey(spec) }
        FastText.trim(&key)
        guard !key.isEmpty else { return Self.noKey(spec) }
        // Borrowed, as the fields are (see below): a copied condition retained and released its
        // field name and values, objects every mapping thread shares, for each skip of each record.
        for index in skipConditions.indices where skipConditions[index]._withUnsafeGuaranteedRef({ holds($0, in: record) }) {
            return .skipped(externalReferenceId: key, reason: skipReasons[index])
        }
        // A skip rule that could not read its field must not let the record through as if it held.
        if let issue = unreadableCondition { return .rejected(externalReferenceId: key, issues: [issue]) }
        var referral = Referral(externalReferenceId: key)
        var issues: [MappingIssue] = []
        var warnings: [String] = []
        for field in fieldReferences {
            // A borrowed reference: `program` keeps every compiled field alive. A strong local
            // retained and released the field and its rule for every field of every record, on
            // objects every worker thread shares: atomic operations on shared cache lines, 4 % of
            // a CSV preview.
            field._withUnsafeGuaranteedRef { apply($0, in: record, to: &referral, issues: &issues, warnings: &warnings) }
        }
        if let issue = unreadableCondition { issues.append(issue) }
        if issues.isEmpty {
            // Documented rules reject; refbridge's own warn with their reason unless `strict:` names them.
            for issue in referral.validationIssues(for: .create) {
                if spec.strict.rejects(issue) {
                    issues.append(MappingIssue(field: issue.path, message: issue.message))
                } else {
                    warnings.append("\(issue.path): \(issue.message) (\(issue.rule.reason); `strict: [\(issue.rule.rawValue)]` rejects it)")
                }
            }
        }
        guard issues.isEmpty else { return .rejected(externalReferenceId: key, issues: issues) }
        return .mapped(MappedReferral(externalReferenceId: key, referral: consume referral, warnings: warnings))
    }

    private static func noKey(_ spec: MappingSpec) -> MappingOutcome {
        .rejected(externalReferenceId: nil, issues: [MappingIssue(field: spec.key.describedSource, message: "the record has no id: it is never uploaded without one (check the key column)")])
    }

    /// One field of the mapping into `referral`, or an issue or a warning about it.
    private func apply(_ field: CompiledField, in record: Columns, to referral: inout Referral, issues: inout [MappingIssue], warnings: inout [String]) {
        // `field` and `rule` are class references: reading their stored properties copies only the
        // property read, not a whole target path or rule, for every field of every record.
        let rule = field.rule
        var text: String
        var fallback = false
        if let value = self.text(of: rule, in: record) {
            text = value
        } else if let value = rule.ifEmpty {
            // Already in the target's terms (checked when the mapping loaded): no map applies.
            text = value
            fallback = true
        } else {
            if rule.required { issues.append(MappingIssue(field: field.path, message: "is required, but \(rule.describedSource) is empty")) }
            return
        }
        if rule.readsBool, !fallback {
            guard let value = ValueParsers.strictBool(text) else {
                issues.append(MappingIssue(field: field.path, message: "'\(text)' from \(rule.describedSource) is not true/false, 1/0 or yes/no"))
                return
            }
            text = value ? "true" : "false"
        }
        if let map = rule.mapReference, !fallback {
            // Borrowed: a retained table is one object every mapping thread retains and releases.
            let asWritten = rule.mapAsWrittenReference?._withUnsafeGuaranteedRef { $0.value(for: text) }
            if let mapped = asWritten ?? map._withUnsafeGuaranteedRef({ $0.value(forFolded: text) }) {
                text = mapped
            } else {
                switch rule.unmapped {
                case .reject:
                    issues.append(MappingIssue(field: field.path, message: "'\(text)' from \(rule.describedSource) is not in the mapping's map: add it, or set `default:`"))
                    return
                case .keep: break
                case .value(let value): text = value
                }
            }
            // A map entry or default of "" leaves the field out.
            if text.isEmpty { return }
        }
        switch field.kind {
        case .string:
            if let letterCase = rule.letterCase { text = ValueParsers.apply(letterCase, to: text) }
            if let limit = field.limit, ReferralLimits.exceeds(text, limit) {
                if rule.truncate, let cut = ReferralLimits.truncated(text, forPath: field.path) {
                    warnings.append("\(field.path) truncated from \(ReferralLimits.length(of: text)) to \(limit) characters")
                    text = cut
                } else {
                    issues.append(MappingIssue(field: field.path, message: "is \(ReferralLimits.length(of: text)) characters long; the limit is \(limit)"))
                    return
                }
            }
            if field.isPhone, !ValueParsers.isPhoneNumber(text) {
                issues.append(MappingIssue(field: field.path, message: "'\(text)' from \(rule.describedSource) is not a phone number (only digits, + ( ) - . and an extension such as x123): check the column"))
                return
            }
            if field.field == .address(.country), let code = CountryCodes.normalized(text) { text = code }
            if field.field == .currency, let code = CurrencyCodes.normalized(text) { text = code }
            referral.set(.string(consume text), field: field.field, index: field.index)
        case .number:
            guard let number = ValueParsers.number(text, decimalComma: rule.decimalComma) else {
                issues.append(MappingIssue(field: field.path, message: "'\(text)' from \(rule.describedSource) is not a number"))
                return
            }
            referral.set(.number(number), field: field.field, index: field.index)
        case .bool:
            guard let value = ValueParsers.bool(text) else {
                issues.append(MappingIssue(field: field.path, message: "'\(text)' from \(rule.describedSource) is not yes/no, true/false or 1/0"))
                return
            }
            referral.set(.bool(value), field: field.field, index: field.index)
        case .dateTime:
            guard let date = ValueParsers.dateTime(text, format: rule.dateFormat, zone: rule.zone) else {
                issues.append(MappingIssue(field: field.path, message: "'\(text)' from \(rule.describedSource) is not a date `date: \(rule.dateFormat.rawValue)` reads (\(rule.dateFormat.examples))"))
                return
            }
            referral.set(.dateTime(date), field: field.field, index: field.index)
        case .enumeration(let values):
            guard let value = FastText.matching(text, in: values) else {
                issues.append(MappingIssue(field: field.path, message: "'\(text)' from \(rule.describedSource) is not one of \(values.joined(separator: ", ")): map it with `map:`"))
                return
            }
            referral.set(.string(value), field: field.field, index: field.index)
        }
    }

    private func add(_ position: Int, of record: Columns, to digest: inout Digest128) {
        if position >= 0, let text = record.values[position].text { digest.add(text) } else { digest.addAbsent() }
    }

    /// Matches the mapping's field names to a header, ignoring case, once per distinct header.
    private func resolve(_ names: [String]) {
        cachedNames = names
        keyLayout = nil
        // The stream makes a mapper per slice of a few hundred records, and every record of a CSV
        // file has the same header: resolved once per header for all of them, not once per slice
        // (lower-casing every name and building a dictionary, half an allocation per record).
        if let resolved = program.resolvedHeader(names) {
            for slot in positions.indices {
                positions[slot] = resolved.positions[slot]
                formattedPositions[slot] = resolved.formattedPositions[slot]
            }
            return
        }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() {
            let key = name.lowercased()
            if index[key] == nil { index[key] = position }
        }
        for (name, slot) in slots {
            positions[slot] = index[name.lowercased()] ?? -1
            formattedPositions[slot] = index[(name + Self.formattedSuffix).lowercased()] ?? -1
        }
        program.remember(ResolvedHeader(names: names, positions: Array(positions), formattedPositions: Array(formattedPositions)))
    }

    /// What `probe` needs of a header for a record with deferred fields (after the positions).
    private func resolveKey(_ names: [String]) -> (columns: [Int], headerDigest: SourceDigest) {
        var columns: Set<Int> = []
        for slot in key.slotsRead {
            if positions[slot] >= 0 { columns.insert(positions[slot]) }
            if formattedPositions[slot] >= 0 { columns.insert(formattedPositions[slot]) }
        }
        keyRow.deinitialize()
        keyRow.deallocate()
        keyRow = .allocate(capacity: names.count)
        keyRow.initialize(repeating: .null)
        // The names in order, and how many: "a,b" + "c" and "a" + "b,c" differ.
        var digest = Digest128()
        digest.add(length: names.count)
        for name in names { digest.add(name) }
        let layout = (columns: columns.sorted(), headerDigest: digest.digest)
        keyLayout = layout
        return layout
    }

    /// A record's values with the current header's slot positions, borrowed for the record's
    /// mapping (see `withColumns`).
    private struct Columns {
        let values: UnsafeBufferPointer<SourceValue>
        let positions: UnsafeBufferPointer<Int>
        let formattedPositions: UnsafeBufferPointer<Int>
    }

    /// The source value in `slot`, nil when absent or null.
    private func value(_ slot: Int, in record: Columns, formatted: Bool) -> String? {
        if formatted {
            let position = record.formattedPositions[slot]
            if position >= 0, let text = record.values[position].text { return text }
        }
        let position = record.positions[slot]
        return position >= 0 ? record.values[position].text : nil
    }

    /// The rule's text, trimmed (unless `trim: false`); nil when empty.
    private func text(of compiled: CompiledRule, in record: Columns) -> String? {
        let rule = compiled
        var text: String?
        switch compiled.origin {
        case .field(let slot):
            text = value(slot, in: record, formatted: rule.formatted)
        case .fields(let slots):
            text = slots.lazy.compactMap { self.value($0, in: record, formatted: rule.formatted) }.first { !FastText.trimmed($0).isEmpty }
        case .template(let parts, let trailing):
            // A part whose field is empty drops with the text before it; see `ValueRule.Template`.
            var result = ""
            var kept = false
            var lastKept = false
            for (position, part) in parts.enumerated() {
                lastKept = false
                guard let value = value(part.slot, in: record, formatted: rule.formatted).map(FastText.trimmed), !value.isEmpty else { continue }
                if kept || position == 0 { result += part.before }
                result += value
                kept = true
                lastKept = true
            }
            if lastKept { result += trailing }
            text = kept ? result.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") : nil
        case .constant(let value):
            text = value
        case .cases(let cases, let otherwise):
            text = otherwise
            for index in cases.indices where cases[index].condition._withUnsafeGuaranteedRef({ holds($0, in: record) }) {
                text = cases[index].value
                break
            }
        }
        // Consumed: a plain `guard var` copied the text (a retain, and a release at the end).
        guard var result = consume text else { return nil }
        if let part = rule.namePart { result = ValueParsers.namePart(part, of: result) }
        if rule.trim { FastText.trim(&result) }
        return result.isEmpty ? nil : result
    }

    private func holds(_ condition: CompiledCondition, in record: Columns) -> Bool {
        let raw = value(condition.slot, in: record, formatted: false).map(FastText.trimmed) ?? ""
        let result: Bool
        switch condition.test {
        case .empty: result = raw.isEmpty
        case .notEmpty: result = !raw.isEmpty
        case .isBool(let wanted):
            if raw.isEmpty {
                result = false
            } else if let value = ValueParsers.strictBool(raw) {
                result = value == wanted
            } else {
                unreadableCondition = MappingIssue(field: condition.field, message: "'\(raw)' is not true/false, 1/0 or yes/no, so `is: \(wanted)` cannot be decided: check the column")
                result = false
            }
        case .equals:
            // Option sets: the code (Web API) or the label (Excel export) both match.
            if condition.matches(raw) {
                result = true
            } else if record.formattedPositions[condition.slot] >= 0 {
                result = condition.matches(value(condition.slot, in: record, formatted: true).map(FastText.trimmed) ?? "")
            } else {
                result = false
            }
        }
        return result != condition.negated
    }
}

/// A spec's rules with their source names replaced by slots, and their value maps as `ValueTable`s:
/// made once when the mapping loads (`MappingSpec.program`) and shared, read-only, by every mapper.
/// The stream makes a mapper per slice of each chunk, a few hundred records; compiling the rules
/// there again (the value tables normalize every key) was per-record work in disguise.
final class MappingProgram: Sendable {
    let slots: [String: Int]
    let key: CompiledRule
    let skips: [(condition: CompiledCondition, reason: String)]
    let fields: [CompiledField]
    /// The header a mapper resolved last, for the next mapper that meets the same one.
    private let lastHeader = Mutex<ResolvedHeader?>(nil)

    init(_ spec: MappingSpec) {
        var slots: [String: Int] = [:]
        for (name, _) in spec.sourceFields where slots[name] == nil { slots[name] = slots.count }
        self.slots = slots
        key = CompiledRule(spec.key, slots: slots, zone: spec.timeZone)
        skips = spec.skips.map { (CompiledCondition($0.condition, slots: slots), $0.reason) }
        fields = spec.fields.map { CompiledField(path: $0.0, rule: CompiledRule($0.1, slots: slots, zone: spec.timeZone)) }
    }
}

extension MappingProgram {
    /// The slot positions for `names`, if a mapper resolved that header last.
    func resolvedHeader(_ names: [String]) -> ResolvedHeader? {
        lastHeader.withLock { last in
            guard let last, last.names == names else { return nil }
            return last
        }
    }

    func remember(_ header: ResolvedHeader) {
        lastHeader.withLock { $0 = header }
    }
}

/// A header's field names with the column of each slot (-1: absent), and of its OData label.
struct ResolvedHeader: Sendable {
    let names: [String]
    let positions: [Int]
    let formattedPositions: [Int]
}

/// A `ValueRule` with its source names replaced by slots. A class: the per-record loop then passes
/// a reference, not a copy of every option.
final class CompiledRule: Sendable {
    enum Origin: Sendable {
        case field(Int)
        case fields([Int])
        case template([(before: String, slot: Int)], trailing: String)
        case constant(String)
        /// The conditions unretained (`conditions` keeps them): the per-record loop borrows them.
        case cases([(condition: Unmanaged<CompiledCondition>, value: String)], otherwise: String?)
    }

    let origin: Origin
    // The rule's options as plain stored properties (see `Mapper.map`).
    let required: Bool
    /// The value map (keys folded) and its keys as written: kept here, read by the per-record loop
    /// through the unretained references below, which it borrows.
    private let map: ValueTable?
    private let mapAsWritten: ValueTable?
    let mapReference: Unmanaged<ValueTable>?
    let mapAsWrittenReference: Unmanaged<ValueTable>?
    let unmapped: ValueRule.Unmapped
    let letterCase: ValueParsers.Case?
    let truncate: Bool
    let decimalComma: Bool
    let dateFormat: ValueParsers.DateFormat
    let formatted: Bool
    let trim: Bool
    let namePart: ValueParsers.NamePart?
    let describedSource: String
    let zone: SourceTimeZone
    let readsBool: Bool
    let ifEmpty: String?
    /// What `.cases` borrows.
    private let conditions: [CompiledCondition]

    init(_ rule: ValueRule, slots: [String: Int], zone: SourceTimeZone) {
        self.zone = rule.timeZone ?? zone
        readsBool = rule.readsBool
        ifEmpty = rule.ifEmpty
        required = rule.required
        map = rule.map.map(ValueTable.init)
        mapAsWritten = rule.mapAsWritten.map(ValueTable.init)
        mapReference = map.map { Unmanaged.passUnretained($0) }
        mapAsWrittenReference = mapAsWritten.map { Unmanaged.passUnretained($0) }
        unmapped = rule.unmapped
        letterCase = rule.letterCase
        truncate = rule.truncate
        decimalComma = rule.decimalComma
        dateFormat = rule.dateFormat
        formatted = rule.formatted
        trim = rule.trim
        namePart = rule.namePart
        describedSource = rule.describedSource
        var conditions: [CompiledCondition] = []
        switch rule.origin {
        case .field(let name): origin = .field(slots[name]!)
        case .fields(let names): origin = .fields(names.map { slots[$0]! })
        case .template(let template):
            origin = .template(template.parts.map { ($0.before, slots[$0.field]!) }, trailing: template.trailing)
        case .constant(let value): origin = .constant(value)
        case .cases(let cases, let otherwise):
            let compiled = cases.map { CompiledCondition($0.0, slots: slots) }
            conditions = compiled
            origin = .cases(zip(compiled, cases).map { (Unmanaged.passUnretained($0), $1.1) }, otherwise: otherwise)
        }
        self.conditions = conditions
    }

    /// The slots this rule may read (its conditions' too).
    var slotsRead: [Int] {
        switch origin {
        case .field(let slot): [slot]
        case .fields(let slots): slots
        case .template(let parts, _): parts.map(\.slot)
        case .constant: []
        case .cases(let cases, _): cases.map { $0.condition.takeUnretainedValue().slot }
        }
    }
}

/// A class, as `CompiledField` is: the per-record loop borrows it instead of copying (and retaining)
/// its name and values.
final class CompiledCondition: Sendable {
    let slot: Int
    /// The field as the mapping names it, for reports.
    let field: String
    let test: Condition.Test
    let negated: Bool
    /// The `equals` values, each with whether it is ASCII (then compared byte by byte).
    let values: [(text: String, ascii: Bool)]

    init(_ condition: Condition, slots: [String: Int]) {
        slot = slots[condition.field]!
        field = condition.field
        test = condition.test
        negated = condition.negated
        if case .equals(let values) = condition.test {
            self.values = values.map { ($0, FastText.isASCII($0)) }
        } else {
            values = []
        }
    }

    /// Whether `text` equals one of the values, ignoring case.
    func matches(_ text: String) -> Bool {
        let ascii = FastText.isASCII(text)
        for value in values {
            if ascii, value.ascii {
                if FastText.asciiEqualIgnoringCase(value.text, text) { return true }
            } else if FastText.equalIgnoringCase(value.text, text) {
                return true
            }
        }
        return false
    }
}

final class CompiledField: Sendable {
    let rule: CompiledRule
    /// The length limit of a string target, looked up once.
    let limit: Int?
    // The target's parts the per-record loop reads (see `Mapper.map`).
    let path: String
    let kind: TargetKind
    let field: TargetField
    let index: Int
    let isPhone: Bool

    init(path: TargetPath, rule: CompiledRule) {
        self.rule = rule
        limit = ReferralLimits.maxLength(forPath: path.path)
        self.path = path.path
        kind = path.kind
        field = path.field
        index = path.indexes.first ?? 0
        isPhone = path.field == .customerTeam(.phoneNumber) || path.field == .team(.phoneNumber)
    }
}

/// String helpers for the hot path that avoid Foundation's bridging: ASCII fast paths, Unicode
/// correct otherwise.
enum FastText {
    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }

    /// Without surrounding whitespace (ASCII spaces, tabs, line breaks; and any Unicode whitespace).
    static func trimmed(_ text: String) -> String {
        guard needsTrimming(text) else { return text }
        var start = text.startIndex
        var end = text.endIndex
        while start < end, text[start].isWhitespace { start = text.index(after: start) }
        while end > start, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        return String(text[start..<end])
    }

    /// `text = trimmed(text)`, leaving `text` alone when it needs no trimming: `trimmed` hands back
    /// a copy of its argument (a retain, and later a release) for every value that needs none.
    static func trim(_ text: inout String) {
        if needsTrimming(text) { text = trimmed(text) }
    }

    /// Whether `trimmed(text)` differs from `text`, or may.
    private static func needsTrimming(_ text: String) -> Bool {
        // The ends straight from the string's bytes: `utf8.last` walks String indices, and this runs
        // for every value the mapping reads (1.3 % of a CSV preview).
        let ends = text.utf8.withContiguousStorageIfAvailable { bytes in bytes.isEmpty ? nil : (bytes[0], bytes[bytes.count - 1]) }
        guard let (first, last) = ends ?? text.utf8.first.flatMap({ first in text.utf8.last.map { (first, $0) } }) else { return false }
        return isSpace(first) || isSpace(last) || first >= 0x80 || last >= 0x80
    }

    static func lowered(_ text: String) -> String {
        // Through the bytes in place (`withUTF8Bytes`), as the two below: walking `text.utf8`
        // through its iterator in these was 1.5 % of a CSV preview.
        text.withUTF8Bytes { $0.contains { ($0 >= 65 && $0 <= 90) || $0 >= 0x80 } } ? text.lowercased() : text
    }

    static func isASCII(_ text: String) -> Bool {
        text.withUTF8Bytes { bytes in
            var bits: UInt8 = 0
            for byte in bytes { bits |= byte }
            return bits < 0x80
        }
    }

    /// For two ASCII strings: equal ignoring case, without allocating.
    static func asciiEqualIgnoringCase(_ a: String, _ b: String) -> Bool {
        a.withUTF8Bytes { a in
            b.withUTF8Bytes { b in
                guard a.count == b.count else { return false }
                for index in 0..<a.count where a[index] != b[index] {
                    // Letters differ by 0x20 between cases; anything else must be equal.
                    let (x, y) = (a[index], b[index])
                    guard x | 0x20 == y | 0x20, (x | 0x20) >= UInt8(ascii: "a"), (x | 0x20) <= UInt8(ascii: "z") else { return false }
                }
                return true
            }
        }
    }

    static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        if a.utf8.count != b.utf8.count, isASCII(a), isASCII(b) { return false }
        return a == b || lowered(a) == lowered(b)
    }

    static func matching(_ text: String, in values: [String]) -> String? {
        if let exact = values.first(where: { $0 == text }) { return exact }
        let key = lowered(text)
        return values.first { lowered($0) == key }
    }
}
