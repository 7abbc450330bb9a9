/// Where a source record came from: enough for a person to find it in the file.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based position of the record in the file (header rows not counted).
    public var record: Int
    /// 1-based line where the record starts, where the format has lines.
    public var line: Int?
    /// 1-based column, for errors inside a record.
    public var column: Int?

    public init(file: String, record: Int, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.record = record
        self.line = line
        self.column = column
    }

    public var description: String {
        // Written byte by byte into one string of the right capacity: a sync's planner describes
        // every record for its report. Interpolations made a string each (2 % of a re-run), and
        // appending `String(record)` and the rest still cost 0.3 s of a 500k-record re-run.
        var file = file
        return file.withUTF8 { name in
            String(unsafeUninitializedCapacity: name.count + Self.longestSuffix) { buffer in
                var at = 0
                func put(_ text: StaticString) {
                    text.withUTF8Buffer { bytes in
                        for byte in bytes { buffer[at] = byte; at += 1 }
                    }
                }
                func put(_ number: Int) {
                    if number < 0 { put("-") }
                    var value = number.magnitude
                    var digits = 0
                    var scan = value
                    repeat { digits += 1; scan /= 10 } while scan > 0
                    at += digits
                    var index = at
                    repeat {
                        index -= 1
                        buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
                        value /= 10
                    } while value > 0
                }
                if let base = name.baseAddress, let target = buffer.baseAddress, name.count > 0 {
                    target.update(from: base, count: name.count)
                    at = name.count
                }
                put(":record ")
                put(record)
                if let line {
                    put(" (line ")
                    put(line)
                    if let column {
                        put(", column ")
                        put(column)
                    }
                    put(")")
                }
                return at
            }
        }
    }

    /// What `description` adds to the file's name at most: its words and three numbers of up to
    /// 20 characters each (sign included).
    private static let longestSuffix = ":record ".utf8.count + " (line ".utf8.count + ", column ".utf8.count + ")".utf8.count + 3 * 20
}

/// A value as the export wrote it.
public enum SourceValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A JSON number, kept as its text so no precision is lost before the mapping parses it.
    case number(String)
    case string(String)

    /// The value as text (`nil` for null), which is how CSV and XML deliver everything.
    public var text: String? {
        switch self {
        case .null: nil
        case .bool(let value): value ? "true" : "false"
        case .number(let text), .string(let text): text
        }
    }
}

/// One record of an export: ordered field names and values, plus where it came from.
///
/// Nested JSON is flattened to dotted paths (`parentaccountid.address1_city`); OData annotations keep
/// their full name (`statuscode@OData.Community.Display.V1.FormattedValue`).
public struct SourceRecord: Sendable {
    public var location: SourceLocation
    /// Field names in file order. For CSV this is the (de-duplicated) header, shared by every record.
    public var names: [String]
    /// The values, by column; empty while `deferred` holds them undecoded.
    public var values: [SourceValue]
    /// The undecoded fields of a record read with `ImportOptions.deferDecoding`, until
    /// `materialize()`; nil once `values` holds them (and for every reader but CSV's).
    public private(set) var deferred: DeferredFields?

    public init(location: SourceLocation, names: [String], values: [SourceValue]) {
        self.location = location
        self.names = names
        self.values = values
    }

    init(location: SourceLocation, names: [String], deferred: DeferredFields) {
        self.location = location
        self.names = names
        values = []
        self.deferred = deferred
    }

    /// Decodes the deferred fields into `values` (nothing to do when they are there).
    public mutating func materialize() {
        guard let fields = deferred.take() else { return }
        values = fields.values()
    }

    /// A copy whose values are decoded.
    public func materialized() -> SourceRecord {
        var copy = self
        copy.materialize()
        return copy
    }

    /// The value in column `index`, decoded or not; nil past the last column.
    public func value(at index: Int) -> SourceValue? {
        if let deferred { return index >= 0 && index < deferred.count ? deferred.value(at: index) : nil }
        return values.indices.contains(index) ? values[index] : nil
    }

    /// The value of the field named `name`, matched exactly first, then ignoring ASCII case.
    public subscript(name: String) -> SourceValue? {
        if let index = names.firstIndex(of: name) { return value(at: index) }
        let lowered = name.lowercased()
        if let index = names.firstIndex(where: { $0.lowercased() == lowered }) { return value(at: index) }
        return nil
    }
}

/// A record the reader could not deliver, with the reason and where.
public struct RejectedRecord: Sendable, Hashable {
    public var location: SourceLocation
    /// What was wrong, said so that the user can fix the file.
    public var reason: String

    public init(location: SourceLocation, reason: String) {
        self.location = location
        self.reason = reason
    }
}

/// What a reader yields: every record of a file ends up as exactly one of these.
public enum ImportItem: Sendable {
    case record(SourceRecord)
    case rejected(RejectedRecord)
}
