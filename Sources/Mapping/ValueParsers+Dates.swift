import Referrals

extension ValueParsers {
    enum DateFormat: String, CaseIterable, Sendable {
        /// `2024-06-25`, `2024-06-25T10:00:00Z`, `2024-06-25 10:00:00+0200`.
        case iso
        /// `6/25/2024`, `6/25/2024 10:00 AM`; ISO 8601 values too.
        case us
        /// `25.06.2024`, `25/06/2024`, `25-06-2024`, with an optional time; ISO 8601 values too.
        case eu
        /// Excel's serial day number (1900 date system).
        case excel

        /// What the format reads, for messages.
        var examples: String {
            switch self {
            case .iso: "e.g. 2024-06-25, 2024-06-25T10:00:00Z, 2024-06-25 10:00+02:00"
            case .us: "e.g. 6/25/2024, 6/25/2024 3:05 PM, 2024-06-25T10:00:00Z"
            case .eu: "e.g. 25.06.2024, 25/06/2024 15:05, 2024-06-25T10:00:00Z"
            case .excel: "an Excel serial day number such as 45468"
            }
        }
    }

    /// A date or date-time as the API's UTC date-time.
    ///
    /// An offset or `Z` in the value always wins; a date-time without one is read in `zone`. A date
    /// alone is midnight UTC of that very day: it never moves a day, whatever the zone. `us`/`eu`
    /// decide only the ambiguous `n/n/yyyy` forms; an ISO 8601 date (`2027-06-19`) reads the same in
    /// every format. Bytes, not Characters, and no Calendar: every record of an export has a date or two.
    static func dateTime(_ text: String, format: DateFormat, zone: SourceTimeZone = .utc) -> APIDateTime? {
        var text = text
        if let result = text.utf8.withContiguousStorageIfAvailable({ dateTime(bytes: $0, format: format, zone: zone) }) { return result }
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { dateTime(bytes: $0, format: format, zone: zone) } ?? nil
    }

    private static func dateTime(bytes: UnsafeBufferPointer<UInt8>, format: DateFormat, zone: SourceTimeZone) -> APIDateTime? {
        var reader = DateReader(bytes: bytes)
        reader.skipSpaces()
        let moment: DateReader.Moment?
        if format == .excel {
            moment = reader.excelSerial()
        } else {
            moment = reader.moment(dayFirst: format == .eu, numericDates: format != .iso)
        }
        guard let moment else { return nil }
        var seconds = CivilDate.daysFromCivil(year: moment.year, month: moment.month, day: moment.day) * 86400
        if let clock = moment.clock {
            let local = seconds + clock
            seconds = moment.offset.map { local - $0 } ?? zone.utc(fromLocal: local)
        }
        return formatUTC(seconds, fraction: moment.fraction, bytes: bytes)
    }

    /// `yyyy-mm-ddThh:mm:ss[.fraction]Z`, the fraction digits copied as written.
    private static func formatUTC(_ seconds: Int, fraction: Range<Int>?, bytes: UnsafeBufferPointer<UInt8>) -> APIDateTime? {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        let date = DateReader.civil(days: days)
        let (year, month, day) = (date.year, date.month, date.day)
        guard (1...9999).contains(year) else { return nil }
        let fractionCount = fraction.map { $0.count + 1 } ?? 0
        let text = String(unsafeUninitializedCapacity: 20 + fractionCount) { out in
            var index = 0
            func put(_ byte: UInt8) {
                out[index] = byte
                index += 1
            }
            func put(_ value: Int, width: Int) {
                var divisor = width == 4 ? 1000 : 10
                while divisor > 0 {
                    put(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                    divisor /= 10
                }
            }
            put(year, width: 4)
            put(UInt8(ascii: "-"))
            put(month, width: 2)
            put(UInt8(ascii: "-"))
            put(day, width: 2)
            put(UInt8(ascii: "T"))
            put(rest / 3600, width: 2)
            put(UInt8(ascii: ":"))
            put(rest / 60 % 60, width: 2)
            put(UInt8(ascii: ":"))
            put(rest % 60, width: 2)
            if let fraction {
                put(UInt8(ascii: "."))
                for position in fraction { put(bytes[position]) }
            }
            put(UInt8(ascii: "Z"))
            return index
        }
        return APIDateTime(text)
    }
}

/// Reads one date or date-time from the bytes of a value.
private struct DateReader {
    struct Moment {
        var year: Int
        var month: Int
        var day: Int
        /// Seconds since midnight; nil for a date alone.
        var clock: Int?
        /// Byte positions of the fractional second's digits.
        var fraction: Range<Int>?
        /// Seconds east of UTC, when the value names its offset.
        var offset: Int?
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var current: UInt8 { bytes[index] }

    mutating func skipSpaces() {
        while !atEnd, current == 32 || current == 9 { index += 1 }
    }

    /// Up to `maximum` digits; nil when there is none.
    mutating func number(maximum: Int) -> (value: Int, count: Int)? {
        var value = 0
        var count = 0
        while !atEnd, count < maximum, current >= 48, current <= 57 {
            value = value * 10 + Int(current - 48)
            count += 1
            index += 1
        }
        return count == 0 ? nil : (value, count)
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard !atEnd, current == byte else { return false }
        index += 1
        return true
    }

    /// `yyyy-mm-dd` (always), or with `numericDates` `n/n/yyyy`, `n.n.yy`, `n-n-yyyy` in the order
    /// `dayFirst` says; then an optional time after ` ` or `T`; then an optional offset; then nothing.
    mutating func moment(dayFirst: Bool, numericDates: Bool) -> Moment? {
        guard let first = number(maximum: 4), !atEnd else { return nil }
        var moment: Moment
        if first.count == 4 {
            // ISO 8601: unambiguous, whatever the mapping's order.
            guard take(UInt8(ascii: "-")), let month = number(maximum: 2), take(UInt8(ascii: "-")), let day = number(maximum: 2) else { return nil }
            moment = Moment(year: first.value, month: month.value, day: day.value)
        } else {
            guard numericDates, first.count <= 2 else { return nil }
            let separator = current
            guard separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") || separator == UInt8(ascii: "-") else { return nil }
            index += 1
            guard let second = number(maximum: 2), take(separator), let year = number(maximum: 4), year.count == 2 || year.count == 4 else { return nil }
            let (month, day) = dayFirst ? (second.value, first.value) : (first.value, second.value)
            moment = Moment(year: year.count == 2 ? 2000 + year.value : year.value, month: month, day: day)
        }
        guard (1...12).contains(moment.month), moment.day >= 1, moment.day <= CivilDate.daysIn(month: moment.month, year: moment.year), moment.year >= 1
        else { return nil }
        if atEnd { return moment }
        // Date and time part: `T` (ISO) or spaces; Data Loader also writes `07/15/2009T02:14:45`.
        if current == UInt8(ascii: "T") || current == UInt8(ascii: "t") {
            index += 1
        } else {
            let start = index
            skipSpaces()
            guard index > start else { return nil }
            if atEnd { return moment }
        }
        guard time(into: &moment) else { return nil }
        skipSpaces()
        return atEnd ? moment : nil
    }

    /// `h:mm`, `hh:mm:ss`, `hh:mm:ss.fffffff`, then ` AM`/`pm`, then `Z`, `UTC`, `±hh`, `±hhmm`, `±hh:mm`.
    mutating func time(into moment: inout Moment) -> Bool {
        guard var hour = number(maximum: 2)?.value, take(UInt8(ascii: ":")), let minute = number(maximum: 2), minute.count == 2 else { return false }
        var second = 0
        if take(UInt8(ascii: ":")) {
            guard let value = number(maximum: 2), value.count == 2 else { return false }
            second = value.value
            if !atEnd, current == UInt8(ascii: ".") || current == UInt8(ascii: ",") {
                index += 1
                let start = index
                while !atEnd, current >= 48, current <= 57, index - start < 9 { index += 1 }
                guard index > start else { return false }
                moment.fraction = start..<index
            }
        }
        skipSpaces()
        if !atEnd, (current | 0x20) == UInt8(ascii: "a") || (current | 0x20) == UInt8(ascii: "p"), index + 1 < bytes.count, (bytes[index + 1] | 0x20) == UInt8(ascii: "m") {
            guard (0...12).contains(hour) else { return false }
            let afternoon = (current | 0x20) == UInt8(ascii: "p")
            index += 2
            if afternoon, hour < 12 { hour += 12 }
            if !afternoon, hour == 12 { hour = 0 }
            skipSpaces()
        }
        guard hour < 24, minute.value < 60, second <= 60 else { return false }
        moment.clock = hour * 3600 + minute.value * 60 + second
        if atEnd { return true }
        return offset(into: &moment)
    }

    mutating func offset(into moment: inout Moment) -> Bool {
        if current | 0x20 == UInt8(ascii: "z") {
            index += 1
            moment.offset = 0
            return true
        }
        if index + 2 < bytes.count {
            let word = (current | 0x20, bytes[index + 1] | 0x20, bytes[index + 2] | 0x20)
            if word == (UInt8(ascii: "u"), UInt8(ascii: "t"), UInt8(ascii: "c")) || word == (UInt8(ascii: "g"), UInt8(ascii: "m"), UInt8(ascii: "t")) {
                index += 3
                moment.offset = 0
                if atEnd || current == 32 { return true }
            }
        }
        guard !atEnd, current == UInt8(ascii: "+") || current == UInt8(ascii: "-") else { return false }
        let sign = current == UInt8(ascii: "-") ? -1 : 1
        index += 1
        guard let hours = number(maximum: 2), hours.count == 2, hours.value <= 18 else { return false }
        var minutes = 0
        let colon = take(UInt8(ascii: ":"))
        if let value = number(maximum: 2) {
            guard value.count == 2, value.value < 60 else { return false }
            minutes = value.value
        } else if colon {
            return false
        }
        moment.offset = sign * (hours.value * 3600 + minutes * 60)
        return true
    }

    /// Excel's serial number: days since 1899-12-30, a fraction for the time of day (local time).
    mutating func excelSerial() -> Moment? {
        guard let whole = number(maximum: 7) else { return nil }
        var fraction = 0.0
        if take(UInt8(ascii: ".")) {
            var scale = 0.1
            while !atEnd, current >= 48, current <= 57 {
                fraction += Double(current - 48) * scale
                scale /= 10
                index += 1
            }
        }
        skipSpaces()
        guard atEnd, whole.value > 0 || fraction > 0, whole.value < 2_958_466 else { return nil }
        // Day 25569 is 1970-01-01 (Excel counts a 29 Feb 1900 that never was).
        let days = whole.value - 25569
        var moment = DateReader.civil(days: days)
        let clock = Int((fraction * 86400).rounded())
        if clock > 0 { moment.clock = min(clock, 86399) }
        return moment
    }

    /// Civil from days (Howard Hinnant's algorithm): no calendar object, no time zone.
    static func civil(days: Int) -> Moment {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return Moment(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: doy - (153 * mp + 2) / 5 + 1)
    }
}
