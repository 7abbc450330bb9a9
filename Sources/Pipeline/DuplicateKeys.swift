import Importers

/// The external ids seen so far in a run, to report (never send) a second record with the same id.
///
/// Keeps a 64-bit hash of each id with where it was first seen (16 bytes a record: 500k records take
/// about 12 MB, where the ids themselves would take 50). Two different ids share a hash with odds of
/// about 1 in 10^8 in a 500k-record run; such a record would be reported as a duplicate, never lost
/// silently.
struct DuplicateKeys {
    private var seen: [UInt64: Location] = [:]
    private var files: [String] = []

    struct Location {
        var file: UInt32
        var record: UInt32
    }

    init() {}

    /// Where an earlier record with this id was ("leads.csv:record 12"), or nil (and remembers this one).
    mutating func firstSeen(_ key: RecordKey, at location: SourceLocation) -> String? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.system.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        // A byte no UTF-8 text has, between the two parts: ("ab", "c") and ("a", "bc") differ.
        hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        for byte in key.externalId.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        if let first = seen[hash] { return "\(files[Int(first.file)]):record \(first.record)" }
        if files.last != location.file { files.append(location.file) }
        seen[hash] = Location(file: UInt32(files.count - 1), record: UInt32(clamping: location.record))
        return nil
    }
}
