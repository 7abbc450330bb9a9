import Foundation
import Referrals

/// The list endpoint's query, limited to what the docs and the connector's Swagger show
/// (partner-api.md §2.1): anything else is refused, so a client can never come to depend on what
/// the real API does not promise.
struct ListQuery: Codable, Sendable, Equatable {
    var filter: [Clause] = []
    var orderBy: OrderField = .createdDateTime
    var descending = false
    var top: Int?
    /// `$skip` (Swagger): referrals passed over before the first page.
    var skip = 0
    /// `$count=true` (Swagger): only then does the page carry `@odata.count`.
    var count = false
    var select: [String]?
    /// Keyset position for the next page: the sort key and id of the last referral sent.
    var after: Position?
    /// How many were sent on earlier pages, for `$top`.
    var sent = 0

    struct Position: Codable, Sendable, Equatable {
        var key: String
        var id: String
    }

    enum OrderField: String, Codable, Sendable {
        case createdDateTime, updatedDateTime
    }

    /// One `field op 'value'` clause; `op` is `eq` but for `updatedDateTime` (see `Options`).
    struct Clause: Codable, Sendable, Equatable {
        var field: String
        var value: String
        var op = "eq"
    }

    /// What the sandbox's options let a query do beyond the documented `eq`.
    struct Options: Sendable {
        /// `updatedDateTime` with `ge`/`gt`/`le`/`lt` too: the docs list it as filterable but name
        /// no operator, so only `eq` is certain.
        var dateRanges = false
    }

    /// How deep parentheses may nest in `$filter`: far beyond any real query, and a 400, not a
    /// stack overflow, for 40,000 `(`.
    static let maxFilterDepth = 32

    static let filterFields: Set<String> = [
        "engagementId", "status", "substatus", "qualification", "type", "direction",
        "customerProfile/address/country", "updatedDateTime", "team/email", "email",
    ]
    static let selectable: Set<String> = Referral.knownKeys.subtracting(["@odata.context"])
    static let pageSize = 100

    /// Parses the URL query (already percent-decoded pairs).
    static func parse(_ pairs: [(String, String)], options: Options = Options()) throws -> ListQuery {
        var query = ListQuery()
        for (name, value) in pairs {
            switch name {
            case "$filter":
                var parser = FilterParser(value, options: options)
                query.filter = try parser.parse()
            case "$orderby":
                let parts = value.split(separator: " ", omittingEmptySubsequences: true)
                guard (1...2).contains(parts.count), let field = OrderField(rawValue: String(parts[0])) else {
                    throw SandboxError.invalidRequest("$orderby supports createdDateTime or updatedDateTime, asc or desc; got '\(value)'", target: "$orderby")
                }
                query.orderBy = field
                if parts.count == 2 {
                    switch parts[1].lowercased() {
                    case "asc": query.descending = false
                    case "desc": query.descending = true
                    default: throw SandboxError.invalidRequest("$orderby direction must be asc or desc; got '\(parts[1])'", target: "$orderby")
                    }
                }
            case "$top":
                guard let top = Int(value), top > 0 else {
                    throw SandboxError.invalidRequest("$top must be a whole number above 0; got '\(value)'", target: "$top")
                }
                query.top = top
            case "$skip":
                guard let skip = Int(value), skip >= 0 else {
                    throw SandboxError.invalidRequest("$skip must be a whole number of 0 or more; got '\(value)'", target: "$skip")
                }
                query.skip = skip
            case "$count":
                switch value.lowercased() {
                case "true": query.count = true
                case "false": query.count = false
                default: throw SandboxError.invalidRequest("$count must be true or false; got '\(value)'", target: "$count")
                }
            case "$expand":
                // Documented by the Swagger without its values or meaning: accepted, changes nothing.
                break
            case "$select":
                let fields = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                for field in fields where !selectable.contains(field) {
                    throw SandboxError.invalidRequest("$select names an unknown field '\(field)'", target: "$select")
                }
                query.select = fields
            case "$skiptoken":
                guard let data = Data(base64Encoded: value), let token = try? JSONDecoder().decode(ListQuery.self, from: data),
                    token.isConsistent
                else {
                    throw SandboxError.invalidRequest("$skiptoken is not one this server issued: follow @odata.nextLink verbatim", target: "$skiptoken")
                }
                query = token
            default:
                throw SandboxError.invalidRequest("the query option '\(name)' is not supported: use $filter, $orderby, $top, $skip, $count, $expand or $select", target: name)
            }
        }
        return query
    }

    /// A skip token is base64 JSON anyone can forge: what it says must make sense before any
    /// arithmetic (a `top` of Int.min would overflow `top - sent`).
    var isConsistent: Bool {
        guard sent >= 0, skip >= 0, top.map({ $0 > 0 && sent <= $0 }) ?? true else { return false }
        return filter.count <= 1000
    }

    /// How many more this query may return: `top - sent`, or all.
    var remaining: Int {
        guard let top else { return Int.max }
        return max(0, top - sent)
    }

    var skipToken: String {
        (try? JSONEncoder().encode(self))?.base64EncodedString() ?? ""
    }

    func matches(_ referral: Referral) -> Bool {
        filter.allSatisfy { clause in
            switch clause.field {
            case "engagementId": referral.engagementId == clause.value
            case "status": referral.status?.rawValue == clause.value
            case "substatus": referral.substatus?.rawValue == clause.value
            case "qualification": referral.qualification?.rawValue == clause.value
            case "type": referral.type?.rawValue == clause.value
            case "direction": referral.direction?.rawValue == clause.value
            case "customerProfile/address/country": referral.customerProfile?.address?.country?.caseInsensitiveCompare(clause.value) == .orderedSame
            case "updatedDateTime": referral.updatedDateTime.map { Self.compare($0, clause.op, clause.value) } ?? false
            // The list page documents a plain `email` filter next to team/any(…); both look in the team.
            case "team/email", "email": referral.team?.contains { $0.email?.caseInsensitiveCompare(clause.value) == .orderedSame } ?? false
            default: false
            }
        }
    }

    /// The page after `after`: indexes into `all` (the store, in creation order), how many referrals
    /// match in all, and whether more follow the page. Sorted by (sort key, id); O(n) when the store
    /// is already in that order (creation order, the usual `$orderby=createdDateTime`), O(n log n) otherwise.
    func page(of all: [Referral], limit: Int) -> (indexes: [Int], total: Int, more: Bool) {
        let keys = all.map(sortKey)
        let ids = all.map { $0.id ?? "" }
        func before(_ a: Int, _ b: Int) -> Bool { keys[a] != keys[b] ? keys[a] < keys[b] : ids[a] < ids[b] }
        var order = Array(all.indices)
        if !zip(order, order.dropFirst()).allSatisfy({ before($0, $1) }) { order.sort(by: before) }
        if descending { order.reverse() }
        var indexes: [Int] = []
        var total = 0
        var more = false
        var skipped = 0
        for index in order where filter.isEmpty || matches(all[index]) {
            total += 1
            // `$skip` applies to the first page only; later pages continue after `after`.
            if after == nil, skipped < skip {
                skipped += 1
                continue
            }
            if let after {
                let beyond = keys[index] == after.key
                    ? (descending ? ids[index] < after.id : ids[index] > after.id)
                    : (descending ? keys[index] < after.key : keys[index] > after.key)
                guard beyond else { continue }
            }
            if indexes.count < limit { indexes.append(index) } else { more = true }
        }
        return (indexes, total, more)
    }

    /// `stored op literal` for a date: `eq` as `sameInstant`, the others on the instants.
    static func compare(_ stored: APIDateTime, _ op: String, _ literal: String) -> Bool {
        if op == "eq" { return sameInstant(stored, literal) }
        guard let other = APIDateTime(literal) else { return false }
        let equal = sameInstant(stored, literal)
        switch op {
        case "ge": return equal || stored.date > other.date
        case "gt": return !equal && stored.date > other.date
        case "le": return equal || stored.date < other.date
        case "lt": return !equal && stored.date < other.date
        default: return false
        }
    }

    /// The text the server wrote, or the same instant spelt otherwise (`+00:00`, fewer digits).
    /// `Date` cannot hold 100 ns ticks exactly at today's epoch offset, hence the half-microsecond slack.
    static func sameInstant(_ stored: APIDateTime, _ literal: String) -> Bool {
        if stored.text == literal { return true }
        guard let other = APIDateTime(literal) else { return false }
        return abs(other.date.timeIntervalSince(stored.date)) < 0.000_000_5
    }

    func sortKey(_ referral: Referral) -> String {
        // The server wrote these dates itself (`APIDateTime(Date)`): fixed-width UTC text with seven
        // fractional digits, which sorts like the dates themselves without reformatting each one.
        let date = orderBy == .createdDateTime ? referral.createdDateTime : referral.updatedDateTime
        return date?.text ?? ""
    }
}

/// `clause (and clause)*` where a clause is `field eq literal`, `team/any(t:t/email eq literal)` or a
/// parenthesised expression. Literals are quoted (`'New'`, `''` escapes a quote) or bare (real
/// responses leave GUIDs unquoted).
struct FilterParser {
    private let text: [Character]
    private var position = 0
    private var depth = 0
    private let options: ListQuery.Options

    init(_ text: String, options: ListQuery.Options = .init()) {
        self.text = Array(text)
        self.options = options
    }

    mutating func parse() throws -> [ListQuery.Clause] {
        let clauses = try expression()
        skipSpaces()
        guard position == text.count else { throw error("unexpected '\(String(text[position...]))'") }
        return clauses
    }

    private mutating func expression() throws -> [ListQuery.Clause] {
        var clauses = try clause()
        while true {
            skipSpaces()
            let word = peekWord()
            if word.lowercased() == "and" {
                position += word.count
                clauses += try clause()
            } else if word.lowercased() == "or" || word.lowercased() == "not" {
                throw error("'\(word)' is not supported: only eq clauses joined with and")
            } else {
                return clauses
            }
        }
    }

    private mutating func clause() throws -> [ListQuery.Clause] {
        skipSpaces()
        if position < text.count, text[position] == "(" {
            guard depth < ListQuery.maxFilterDepth else {
                throw error("parentheses nest deeper than \(ListQuery.maxFilterDepth) levels")
            }
            position += 1
            depth += 1
            defer { depth -= 1 }
            let inner = try expression()
            skipSpaces()
            guard position < text.count, text[position] == ")" else { throw error("missing ')'") }
            position += 1
            return inner
        }
        let field = readField()
        if field == "team/any" {
            // team/any(t:t/email eq 'x@y.com')
            guard position < text.count, text[position] == "(" else { throw error("expected team/any(t:t/email eq '…')") }
            position += 1
            skipSpaces()
            let variable = readField()
            guard position < text.count, text[position] == ":", !variable.isEmpty else { throw error("expected team/any(t:t/email eq '…')") }
            position += 1
            let inner = readField()
            guard inner == "\(variable)/email" else {
                throw SandboxError.invalidRequest("$filter: team/any supports only \(variable)/email eq '…'", target: "$filter")
            }
            try expectEq()
            let value = try literal()
            skipSpaces()
            guard position < text.count, text[position] == ")" else { throw error("missing ')' after team/any") }
            position += 1
            return [ListQuery.Clause(field: "team/email", value: value)]
        }
        guard ListQuery.filterFields.contains(field), field != "team/email" else {
            throw SandboxError.invalidRequest(
                "$filter on '\(field)' is not supported: the documented fields are engagementId, status, substatus, qualification, type, direction, customerProfile/address/country, updatedDateTime, email and team/any(t:t/email eq '…')",
                target: field.isEmpty ? "$filter" : field)
        }
        let op = try expectOperator(ranges: field == "updatedDateTime" && options.dateRanges)
        return [ListQuery.Clause(field: field, value: try literal(), op: op)]
    }

    private mutating func expectEq() throws {
        _ = try expectOperator(ranges: false)
    }

    /// `eq`, or with `ranges` also `ge`, `gt`, `le`, `lt`.
    private mutating func expectOperator(ranges: Bool) throws -> String {
        skipSpaces()
        let word = peekWord()
        let allowed = ranges ? ["eq", "ge", "gt", "le", "lt"] : ["eq"]
        guard allowed.contains(word) else {
            let hint = ranges ? "eq, ge, gt, le or lt" : "only the eq operator (the docs name no other; `sandbox --date-ranges on` allows ge/gt/le/lt on updatedDateTime)"
            throw SandboxError.invalidRequest("$filter supports \(hint); got '\(word)'", target: "$filter")
        }
        position += word.count
        return word
    }

    private mutating func literal() throws -> String {
        skipSpaces()
        guard position < text.count else { throw error("a value is missing") }
        if text[position] == "'" {
            position += 1
            var value = ""
            while position < text.count {
                if text[position] == "'" {
                    if position + 1 < text.count, text[position + 1] == "'" {
                        value.append("'")
                        position += 2
                        continue
                    }
                    position += 1
                    return value
                }
                value.append(text[position])
                position += 1
            }
            throw error("a quoted value is not closed")
        }
        let word = readField()
        guard !word.isEmpty else { throw error("a value is missing") }
        return word
    }

    private mutating func readField() -> String {
        skipSpaces()
        let start = position
        while position < text.count, !text[position].isWhitespace, !"()':,".contains(text[position]) {
            position += 1
        }
        return String(text[start..<position])
    }

    private func peekWord() -> String {
        var end = position
        while end < text.count, text[end].isLetter { end += 1 }
        return String(text[position..<end])
    }

    private mutating func skipSpaces() {
        while position < text.count, text[position].isWhitespace { position += 1 }
    }

    private func error(_ message: String) -> SandboxError {
        SandboxError.invalidRequest("$filter: \(message)", target: "$filter")
    }
}
