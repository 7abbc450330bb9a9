public import Foundation

/// A date-time as the Partner API writes it: UTC ISO 8601, with or without fractional seconds.
///
/// The API sends seven fractional digits (`2019-02-23T02:05:23.2931817Z`), more than `Date` keeps
/// exactly, so the text it came as is kept and written back unchanged.
public struct APIDateTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let date: Date
    public let text: String

    /// Parses an ISO 8601 date-time; `nil` when `text` is not one.
    public init?(_ text: String) {
        guard let date = Self.parse(text) else { return nil }
        self.date = date
        self.text = text
    }

    /// Formats `date` the way the API does, with seven fractional digits.
    public init(_ date: Date) {
        self.date = date
        self.text = Self.format(date)
    }

    public var description: String { text }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.date < rhs.date }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let ticks = Int(((seconds - whole) * 10_000_000).rounded(.down))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year!, 4))-\(pad(parts.month!, 2))-\(pad(parts.day!, 2))T"
            + "\(pad(parts.hour!, 2)):\(pad(parts.minute!, 2)):\(pad(parts.second!, 2)).\(pad(ticks, 7))Z"
    }

    /// Accepts `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` and a bare `YYYY-MM-DD` (midnight UTC).
    static func parse(_ text: String) -> Date? {
        // In place: an array of the bytes was an allocation for every date of every mapped record.
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes.count >= 10, bytes[4] == 45, let month = number(5, 2),
            bytes[7] == 45, let day = number(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var clock = 0
        var fraction = 0.0
        var offsetSeconds = 0
        if bytes.count > 10 {
            guard bytes.count >= 19, bytes[10] == 84 || bytes[10] == 116, let hour = number(11, 2),
                bytes[13] == 58, let minute = number(14, 2), bytes[16] == 58, let second = number(17, 2),
                hour < 24, minute < 60, second < 61
            else { return nil }
            clock = hour * 3600 + minute * 60 + second
            var index = 19
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                var scale = 0.1
                let start = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    fraction += Double(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
                guard index > start else { return nil }
            }
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case 90, 122:  // Z
                guard index == bytes.count - 1 else { return nil }
            case 43, 45:  // + -
                guard bytes.count == index + 6, let hours = number(index + 1, 2), bytes[index + 3] == 58,
                    let minutes = number(index + 4, 2)
                else { return nil }
                offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == 45 ? -1 : 1)
            default:
                return nil
            }
        }
        // Why no Calendar: this runs for every date of every record, and Calendar costs microseconds.
        guard day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        let seconds = CivilDate.daysFromCivil(year: year, month: month, day: day) * 86400 + clock - offsetSeconds
        // From 2001, as `Date` stores it: a 1970-based double would round a tick (1e-7 s) away.
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + fraction)
    }
}

extension APIDateTime: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = APIDateTime(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an ISO 8601 date-time such as 2018-11-14T00:00:00Z")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
