import Importers

/// The external ids seen so far in a run, to report (never send) a second record with the same id.
///
/// Keeps a 64-bit hash of each id with where it was first seen, never the id itself. Two different
/// ids share a hash with odds of about 1 in 10^8 in a 500k-record run; such a record would be
/// reported as a duplicate, never lost silently.
///
/// Memory: an open-addressing table in 256 shards, chosen by the hash's top byte, 16 bytes a slot.
/// A shard doubles on its own, so growing copies 1/256 of the table at a time: a single `Dictionary`
/// held its old and new storage together while it grew, and peaked at 26 MB for 500k ids and
/// 99 MB for 2 million; this peaks at about what the slots take (1/0.8 to 2/0.8 of 16 bytes an id).
struct DuplicateKeys {
    private var shards = [Shard](repeating: Shard(), count: 256)
    private var files: [String] = []

    init() {}

    /// Where an earlier record with this id was ("leads.csv:record 12"), or nil (and remembers this one).
    mutating func firstSeen(_ key: RecordKey, at location: SourceLocation) -> String? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.system.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        // A byte no UTF-8 text has, between the two parts: ("ab", "c") and ("a", "bc") differ.
        hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        for byte in key.externalId.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        if files.last != location.file { files.append(location.file) }
        let place = Place(file: UInt32(files.count - 1), record: UInt32(clamping: location.record))
        guard let first = shards[Int(hash >> 56)].insert(hash, place) else { return nil }
        return "\(files[Int(first.file)]):record \(first.record)"
    }

    struct Place {
        var file: UInt32
        var record: UInt32
    }

    /// Linear probing over a power-of-two table; a stored hash is never 0 (0 marks an empty slot).
    private struct Shard {
        private var hashes: [UInt64] = []
        private var places: [Place] = []
        private var count = 0

        /// Stores `place` for `hash` and returns nil, or returns the place stored before.
        mutating func insert(_ hash: UInt64, _ place: Place) -> Place? {
            let stored = hash == 0 ? 1 : hash
            if (count + 1) * 5 > hashes.count * 4 { grow() }
            var slot = Self.slot(stored, capacity: hashes.count)
            while hashes[slot] != 0 {
                if hashes[slot] == stored { return places[slot] }
                slot = (slot + 1) & (hashes.count - 1)
            }
            hashes[slot] = stored
            places[slot] = place
            count += 1
            return nil
        }

        /// The home slot: the hash's bits spread again (FNV's low bits cluster on similar ids).
        private static func slot(_ hash: UInt64, capacity: Int) -> Int {
            Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 24) & (capacity - 1)
        }

        private mutating func grow() {
            let oldHashes = hashes
            let oldPlaces = places
            let capacity = max(64, hashes.count * 2)
            hashes = [UInt64](repeating: 0, count: capacity)
            places = [Place](repeating: Place(file: 0, record: 0), count: capacity)
            for (index, hash) in oldHashes.enumerated() where hash != 0 {
                var slot = Self.slot(hash, capacity: capacity)
                while hashes[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
                hashes[slot] = hash
                places[slot] = oldPlaces[index]
            }
        }
    }
}
