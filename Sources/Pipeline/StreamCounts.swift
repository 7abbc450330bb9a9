import Mapping
/// What a stream yielded, by outcome, and the reasons records were rejected for.
public struct StreamCounts: Sendable, Codable {
    public var records = 0
    public var mapped = 0
    public var skipped = 0
    public var rejected = 0
    /// Of the rejected: an id seen before in the stream.
    public var duplicates = 0
    public var warnings = 0
    /// Reason → records rejected for it, values and numbers left out so that like reasons group.
    /// At most `maxReasons` keys: a file of a million different errors must not grow it.
    public var rejectReasons: [String: Int] {
        var reasons = countedReasons
        if let run { Self.add(run.count, to: run.key, in: &reasons) }
        return reasons
    }
    public static let maxReasons = 100
    static let otherReasons = "(other reasons)"
    private var countedReasons: [String: Int] = [:]
    /// Records rejected one after another for one reason, not counted into `countedReasons` yet: a
    /// re-run over a file the mapping refuses skips the grouping scan and the hashing of a key
    /// holding "…" (hashed through Unicode normalization) for all but the first of them.
    private var run: (reason: String, key: String, count: Int)?

    public init() {}

    mutating func add(_ outcome: StreamRecord.Outcome) {
        records += 1
        switch outcome {
        case .mapped(let referral):
            mapped += 1
            warnings += referral.warnings.count
        case .skipped:
            skipped += 1
        case .rejected(let issues, let isDuplicate):
            rejected += 1
            if isDuplicate {
                duplicates += 1
                count(reason: "externalReferenceId: duplicate")
            } else {
                for issue in issues { count(reason: "\(issue.field): \(issue.message)") }
            }
        case .sameAsLedger(rejectedFor: nil):
            // Mapped in an earlier run; its warnings were counted then.
            mapped += 1
        case .sameAsLedger(rejectedFor: let reason?):
            rejected += 1
            count(reason: reason)
        }
    }

    private mutating func count(reason: String) {
        if let run, run.reason == reason {
            self.run?.count += 1
            return
        }
        if let run { Self.add(run.count, to: run.key, in: &countedReasons) }
        run = (reason, Self.reasonKey(reason), 1)
    }

    private static func add(_ count: Int, to key: String, in reasons: inout [String: Int]) {
        if reasons[key] != nil || reasons.count < maxReasons {
            reasons[key, default: 0] += count
        } else {
            reasons[otherReasons, default: 0] += count
        }
    }

    private enum CodingKeys: String, CodingKey {
        case records, mapped, skipped, rejected, duplicates, warnings, rejectReasons
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        records = try container.decode(Int.self, forKey: .records)
        mapped = try container.decode(Int.self, forKey: .mapped)
        skipped = try container.decode(Int.self, forKey: .skipped)
        rejected = try container.decode(Int.self, forKey: .rejected)
        duplicates = try container.decode(Int.self, forKey: .duplicates)
        warnings = try container.decode(Int.self, forKey: .warnings)
        countedReasons = try container.decode([String: Int].self, forKey: .rejectReasons)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(records, forKey: .records)
        try container.encode(mapped, forKey: .mapped)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(rejected, forKey: .rejected)
        try container.encode(duplicates, forKey: .duplicates)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(rejectReasons, forKey: .rejectReasons)
    }

    /// Groups reasons that differ only by a quoted value or a number (a line, a column, a size).
    static func reasonKey(_ reason: String) -> String {
        // Over UTF-8 bytes: by Character, the digit test looked up Unicode properties for every
        // character of every reject's reason, 22 % of a run over 500k rejected records.
        var key: [UInt8] = []
        key.reserveCapacity(reason.utf8.count)
        var inQuote = false
        var inNumber = false
        for byte in reason.utf8 {
            if byte == UInt8(ascii: "'") {
                if !inQuote { key += "'…'".utf8 }
                inQuote.toggle()
                continue
            }
            guard !inQuote else { continue }
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if !inNumber { key.append(UInt8(ascii: "N")) }
                inNumber = true
                continue
            }
            inNumber = false
            key.append(byte)
        }
        return String(decoding: key, as: UTF8.self)
    }
}
