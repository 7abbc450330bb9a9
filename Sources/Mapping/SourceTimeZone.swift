import Foundation

/// The time zone a date-time without an offset is read in: a mapping's `timezone:`.
///
/// A value's own offset or `Z` always wins; this is only for values that carry none. A named zone
/// is turned into its table of offset changes once, when the mapping loads, so reading a value costs
/// a binary search, not a Foundation call (every record of an export has a date or two).
struct SourceTimeZone: Sendable, Equatable {
    /// As written in the mapping (`UTC`, `+02:00`, `Europe/Berlin`).
    let name: String
    /// UTC seconds since 1970 at which the offset changes, ascending.
    private let changes: [Int]
    /// Seconds east of UTC: `offsets[0]` before the first change, `offsets[i + 1]` from `changes[i]` on.
    private let offsets: [Int]

    static let utc = SourceTimeZone(name: "UTC", changes: [], offsets: [0])

    private init(name: String, changes: [Int], offsets: [Int]) {
        self.name = name
        self.changes = changes
        self.offsets = offsets
    }

    /// `UTC`, `Z`, a fixed offset (`+02:00`, `+0200`, `-05`, `UTC+01:00`) or an IANA name
    /// (`Europe/Berlin`, `America/New_York`); nil when it is none of these.
    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Self.fixedOffset(trimmed) {
            self.init(name: trimmed, changes: [], offsets: [seconds])
            return
        }
        guard trimmed.first?.isLetter == true, trimmed.allSatisfy({ $0.isLetter || $0.isNumber || "/_-+".contains($0) }), let zone = TimeZone(identifier: trimmed) else { return nil }
        // Every change from 1900 to 2100 (DST and changes of a zone's standard offset alike): the
        // range covers any date a CRM export holds; outside it the nearest offset is kept.
        var date = Date(timeIntervalSince1970: -2_208_988_800)  // 1900-01-01
        let end = Date(timeIntervalSince1970: 4_133_980_800)  // 2101-01-01
        var changes: [Int] = []
        var offsets = [zone.secondsFromGMT(for: date)]
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next < end, changes.count < 2000 {
            changes.append(Int(next.timeIntervalSince1970.rounded()))
            offsets.append(zone.secondsFromGMT(for: next))
            date = next
        }
        self.init(name: trimmed, changes: changes, offsets: offsets)
    }

    /// `Z`, `UTC`, `GMT`, `±hh`, `±hhmm`, `±hh:mm`, optionally after `UTC`/`GMT`.
    static func fixedOffset(_ text: String) -> Int? {
        var rest = Substring(text)
        for prefix in ["UTC", "GMT"] where rest.uppercased().hasPrefix(prefix) { rest = rest.dropFirst(3) }
        if rest.isEmpty || rest == "Z" || rest == "z" { return text.isEmpty ? nil : 0 }
        let bytes = Array(rest.utf8)
        guard bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") else { return nil }
        let digits = bytes.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            bytes.dropFirst().firstIndex(of: UInt8(ascii: ":")).map({ $0 == 3 && bytes.count == 6 }) ?? true
        else { return nil }
        let values = digits.map { Int($0 - 48) }
        let hours = values[0] * 10 + values[1]
        let minutes = digits.count == 4 ? values[2] * 10 + values[3] : 0
        guard hours <= 18, minutes < 60 else { return nil }
        return (hours * 3600 + minutes * 60) * (bytes[0] == UInt8(ascii: "-") ? -1 : 1)
    }

    /// The offset in force at a UTC instant.
    func offset(atUTC seconds: Int) -> Int {
        if changes.isEmpty { return offsets[0] }
        var low = 0
        var high = changes.count
        while low < high {
            let middle = (low + high) / 2
            if changes[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        return offsets[low]
    }

    /// The UTC instant of a local date-time (seconds since 1970 as if the wall clock were UTC).
    ///
    /// Mind DST: the offset is the one in force at that local time. A time that occurs twice (the
    /// hour clocks go back) is the earlier instant; a time that never occurs (the hour clocks skip)
    /// is read with the offset before the change, as clocks that were not yet moved would show it.
    func utc(fromLocal local: Int) -> Int {
        if changes.isEmpty { return local - offsets[0] }
        // Changes are months apart: a day either side sees the offsets that can apply.
        let before = offset(atUTC: local - 86400)
        let after = offset(atUTC: local + 86400)
        if before == after { return local - before }
        let early = local - before
        let late = local - after
        let earlyHolds = offset(atUTC: early) == before
        let lateHolds = offset(atUTC: late) == after
        switch (earlyHolds, lateHolds) {
        case (true, true): return min(early, late)
        case (false, true): return late
        default: return early
        }
    }
}
