import Foundation
import Importers

/// The external ids seen so far in a run, to report (never send) a second record with the same id.
///
/// Keeps a 64-bit hash of each id with where it was first seen, never the id itself. Two different
/// ids share a hash with odds of about 1 in 10^8 in a 500k-record run; such a record would be
/// reported as a duplicate, never lost silently.
///
/// Memory, the one part of a preview that grows with the input: an open-addressing table in 256
/// shards, chosen by the hash's top byte, 12 bytes a slot (the hash, and the record's position in
/// the run as one 32-bit number instead of a file index and a record number). A shard grows by a
/// quarter when it is 7/8 full, so slots are 70–88 % used (about 15 bytes an id; 16-byte slots at
/// 40–80 % took about 27). Growing copies 1/256 of the table at a time, never the whole; growth moves
/// each id about four times over a run (twice when growing by half), a few milliseconds at 2M ids.
///
/// Past `spillAfter` ids in memory, the table is sorted into a run on disk and emptied
/// (`SpilledKeys`), so memory stays the same from the first id to millions: about 1 MB of table,
/// 4 MB of filter and 64 KB of write buffer. Table and filter are made whole when the stream
/// starts: made at the first spill, they were not there in a preview of 100k leads (63k ids, short
/// of 65,536) and were in one of 200k, whose peak RSS was 6 MB higher. A new id costs a filter
/// check once ids are on disk; only an id the filter takes for a known one (a repeat, or about 1 in
/// 1,000 new ids at 2M) reads the disk. A repeat found there is kept in memory again, so an id
/// repeated many times is read once. Where no temporary file can be made, the table stays in
/// memory and grows as before.
struct DuplicateKeys {
    private var shards: [Shard]
    /// Every id seen, in memory or on disk: what tells a new id from one that may be in a run
    /// without reading the file. Fed from the first id, so that it knows the ids of the first spill.
    private var filter = BlockedFilter(bytes: 4 << 20)
    /// Each file's name and the position its record 0 has: a record's position is `base + record`.
    private var files: [(name: String, base: UInt64)] = []
    /// The highest position given so far; the next file starts after it.
    private var highest: UInt64 = 0
    private let spillAfter: Int
    private let spillDirectory: String
    private var inMemory = 0
    private var spilled: SpilledKeys?
    /// Set when the spill file could not be made or written: ids stay in memory from then on.
    private var spillFailed = false

    /// - Parameters:
    ///   - spillAfter: ids held in memory before they are moved to disk.
    ///   - spillDirectory: where the (unlinked) spill file is made.
    init(spillAfter: Int = 65_536, spillDirectory: String = NSTemporaryDirectory()) {
        self.spillAfter = max(1, spillAfter)
        self.spillDirectory = spillDirectory.isEmpty ? "/tmp" : spillDirectory
        shards = [Shard](repeating: Shard(capacity: Self.shardCapacity(spillAfter: self.spillAfter)), count: 256)
    }

    /// A shard's slots for a fair share of `spillAfter` ids at 70 % use: what every shard starts
    /// with, and goes back to after each spill. No more than the default's: a table that may never
    /// spill grows as it fills.
    private static func shardCapacity(spillAfter: Int) -> Int {
        let fairShare = (min(spillAfter, 65_536) + 255) / 256
        return fairShare * 10 / 7
    }

    /// Where an earlier record with this id was ("leads.csv:record 12"), or nil (and remembers this one).
    mutating func firstSeen(_ key: RecordKey, at location: SourceLocation) -> String? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.system.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        // A byte no UTF-8 text has, between the two parts: ("ab", "c") and ("a", "bc") differ.
        hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        for byte in key.externalId.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        hash = Self.mixed(hash)
        // 0 marks an empty slot: the one hash stored as another, in memory and on disk alike.
        if hash == 0 { hash = 1 }
        if files.last?.name != location.file { files.append((location.file, highest &+ 1 == 0 ? highest : highest + 1)) }
        let (sum, overflow) = files[files.count - 1].base.addingReportingOverflow(UInt64(clamping: max(0, location.record)))
        let position = overflow ? UInt64.max : sum
        highest = max(highest, position)
        // Past 4 billion records a position no longer fits: such a record is still told apart from
        // others, only the message cannot say where the first one was.
        let place = position < UInt64(UInt32.max) ? UInt32(position) : UInt32.max
        let shard = Int(hash >> 56)
        let slot: Int
        switch shards[shard].insert(hash, place) {
        case .found(let first): return describe(first)
        case .inserted(let at): slot = at
        }
        inMemory += 1
        defer { if inMemory >= spillAfter { spill() } }
        guard let spilled, filter.mayContain(hash) else {
            filter.add(hash)
            return nil
        }
        do {
            if let first = try spilled.place(of: hash) {
                shards[shard].setPlace(slot, first)
                return describe(first)
            }
        } catch {
            // The ids on disk cannot be read: this may be a new id, but sending a record twice
            // is worse than refusing one with the reason.
            return "an earlier record, as far as can be told (the duplicate check cannot read its temporary file: \(error))"
        }
        filter.add(hash)
        return nil
    }

    /// FNV-1a's high bits are far from uniform for ids that differ only in their last characters
    /// (GUIDs counting up): its top byte picks the shard, and of 65k generated lead ids one shard
    /// got 976 and others none. Shards grew wherever the ids happened to fall, and kept their size,
    /// so the table grew with the run's length (1 MB at 100k records, 2 MB at 800k). splitmix64's
    /// finalizer spreads every bit over the top byte; it is a bijection, so it tells apart exactly
    /// the ids FNV-1a does.
    static func mixed(_ hash: UInt64) -> UInt64 {
        var z = hash
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Moves the ids in memory to a sorted run on disk and empties the table (every shard at a fair share).
    private mutating func spill() {
        guard !spillFailed else { return }
        if spilled == nil {
            do {
                spilled = try SpilledKeys(directory: spillDirectory)
            } catch {
                spillFailed = true
                return
            }
        }
        guard let spilled else { return }
        // A shard is chosen by the hash's top byte, so shard by shard, each sorted, is hash order:
        // one shard's ids (a few hundred) are sorted at a time, never the whole table at once.
        var shardEntries: [(hash: UInt64, place: UInt32)] = []
        do {
            try spilled.appendRun { emit in
                for shard in shards {
                    shardEntries.removeAll(keepingCapacity: true)
                    shard.forEach { shardEntries.append(($0, $1)) }
                    shardEntries.sort { $0.hash < $1.hash }
                    for entry in shardEntries { try emit(entry.hash, entry.place) }
                }
            }
        } catch {
            // The runs written before are intact; the ids in memory stay there from now on.
            spillFailed = true
            return
        }
        // Every shard back to the size a fair share of the next `spillAfter` ids needs: a shard that
        // grew for an unlucky share keeps no more than the others, so the table is the same size
        // after every spill however long the run (kept capacities ratcheted up with each spill).
        let capacity = Self.shardCapacity(spillAfter: spillAfter)
        for index in shards.indices { shards[index].empty(capacity: capacity) }
        inMemory = 0
    }

    /// Slots of the in-memory table, all shards together: what it costs, for tests.
    var tableCapacity: Int { shards.reduce(0) { $0 + $1.capacity } }

    /// "file:record N" for a stored position.
    private func describe(_ place: UInt32) -> String {
        guard place != UInt32.max else { return "an earlier record" }
        // The last file whose base is at most the position (bases increase with the file list).
        var low = 0
        var high = files.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if files[middle].base <= UInt64(place) { low = middle } else { high = middle - 1 }
        }
        return "\(files[low].name):record \(UInt64(place) - files[low].base)"
    }

    /// Linear probing; a stored hash is never 0 (0 marks an empty slot). The capacity is any size
    /// (a slot is picked by multiplying, not masking), so a shard can grow by a quarter, not double.
    private struct Shard {
        private var hashes: [UInt64]
        private var places: [UInt32]
        private var count = 0

        init(capacity: Int) {
            hashes = [UInt64](repeating: 0, count: capacity)
            places = [UInt32](repeating: 0, count: capacity)
        }

        enum Insertion {
            case found(UInt32)
            case inserted(slot: Int)
        }

        /// Stores `place` for `hash` (`.inserted`), or returns the place stored before.
        mutating func insert(_ hash: UInt64, _ place: UInt32) -> Insertion {
            let stored = hash == 0 ? 1 : hash
            if (count + 1) * 8 > hashes.count * 7 { grow() }
            let capacity = hashes.count
            var slot = Self.slot(stored, capacity: capacity)
            while hashes[slot] != 0 {
                if hashes[slot] == stored { return .found(places[slot]) }
                slot = slot + 1 == capacity ? 0 : slot + 1
            }
            hashes[slot] = stored
            places[slot] = place
            count += 1
            return .inserted(slot: slot)
        }

        mutating func setPlace(_ slot: Int, _ place: UInt32) { places[slot] = place }

        var capacity: Int { hashes.count }

        /// Every stored hash (as stored: 0 is kept as 1) with its place.
        func forEach(_ body: (UInt64, UInt32) -> Void) {
            for index in hashes.indices where hashes[index] != 0 { body(hashes[index], places[index]) }
        }

        /// Empties the shard, with room for `capacity` slots (in place when it has that many).
        mutating func empty(capacity: Int) {
            if hashes.count == capacity {
                for index in hashes.indices { hashes[index] = 0 }
            } else {
                hashes = [UInt64](repeating: 0, count: capacity)
                places = [UInt32](repeating: 0, count: capacity)
            }
            count = 0
        }

        /// The home slot: the hash's bits spread again (FNV's low bits cluster on similar ids), then
        /// scaled to the capacity (the high half of a 64 × 64-bit product: uniform for any capacity).
        private static func slot(_ hash: UInt64, capacity: Int) -> Int {
            let mixed = hash &* 0x9E37_79B9_7F4A_7C15
            return Int(truncatingIfNeeded: mixed.multipliedFullWidth(by: UInt64(capacity)).high)
        }

        private mutating func grow() {
            let oldHashes = hashes
            let oldPlaces = places
            let capacity = max(64, hashes.count + hashes.count / 4)
            hashes = [UInt64](repeating: 0, count: capacity)
            places = [UInt32](repeating: 0, count: capacity)
            for (index, hash) in oldHashes.enumerated() where hash != 0 {
                var slot = Self.slot(hash, capacity: capacity)
                while hashes[slot] != 0 { slot = slot + 1 == capacity ? 0 : slot + 1 }
                hashes[slot] = hash
                places[slot] = oldPlaces[index]
            }
        }
    }
}
