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
    public private(set) var rejectReasons: [String: Int] = [:]
    public static let maxReasons = 100
    static let otherReasons = "(other reasons)"

    public init() {}

    mutating func add(_ record: StreamRecord) {
        records += 1
        switch record.outcome {
        case .mapped(let referral):
            mapped += 1
            warnings += referral.warnings.count
        case .skipped:
            skipped += 1
        case .rejected(let issues, let isDuplicate):
            rejected += 1
            if isDuplicate {
                duplicates += 1
                count("externalReferenceId: duplicate")
            } else {
                for issue in issues { count(Self.reasonKey("\(issue.field): \(issue.message)")) }
            }
        case .sameAsLedger(rejectedFor: nil):
            // Mapped in an earlier run; its warnings were counted then.
            mapped += 1
        case .sameAsLedger(rejectedFor: let reason?):
            rejected += 1
            count(Self.reasonKey(reason))
        }
    }

    private mutating func count(_ key: String) {
        if rejectReasons[key] != nil || rejectReasons.count < Self.maxReasons {
            rejectReasons[key, default: 0] += 1
        } else {
            rejectReasons[Self.otherReasons, default: 0] += 1
        }
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
