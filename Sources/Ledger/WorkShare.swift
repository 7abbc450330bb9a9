/// On a shared ledger, the records this worker takes first: worker `index` of `count` live workers
/// owns the records whose key hashes to `index` modulo `count`.
///
/// Workers that march through the same file in the same order otherwise meet each other's records
/// at every step: two of every three pending marks of a three-worker run answered "claimed
/// elsewhere", a round trip each that did nothing (half the statements the database ran). With
/// shares, a run sends its own share first and then goes over the rest, which by then the other
/// workers have mostly created (and what a slow or dead worker left is taken as before, record by
/// record, under the same claims). A share only orders the work: correctness still rests on the
/// claims, so workers that disagree on the shares (one joined later, or runs another version)
/// only meet each other's records more often.
public struct WorkShare: Sendable, Hashable, CustomStringConvertible {
    /// This worker's place among the live workers, from 0.
    public var index: Int
    /// Live workers when the share was taken; at least 2 (one worker has no share to take).
    public var count: Int

    /// Nil unless `0 <= index < count` and `count >= 2`.
    public init?(index: Int, count: Int) {
        guard count >= 2, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// Whether the record is this worker's. The hash is FNV-1a 64 over the system and the id, so
    /// that every process, of any build, splits the records the same way (Swift's `Hasher` is
    /// seeded anew in each process).
    public func owns(system: String, externalId: String) -> Bool {
        Int(Self.hash(system: system, externalId: externalId) % UInt64(count)) == index
    }

    static func hash(system: String, externalId: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        for byte in system.utf8 { add(byte) }
        add(0)
        for byte in externalId.utf8 { add(byte) }
        return hash
    }

    public var description: String { "worker \(index + 1) of \(count)" }
}
