#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a record's names by position, kept so that the next record compares the bytes of its
/// names with them by `memcmp` (no `String` touched, nothing retained). A position may be opaque
/// (`count` -1): its text is not its bytes (it was decoded), so it is never equal.
struct ByteRuns {
    private var bytes: [UInt8] = []
    private var runs: [(start: Int, count: Int)] = []

    var count: Int { runs.count }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        runs.removeAll(keepingCapacity: true)
    }

    mutating func append(_ start: UnsafePointer<UInt8>, _ count: Int, suffix: StaticString? = nil) {
        let total = count + (suffix?.utf8CodeUnitCount ?? 0)
        runs.append((bytes.count, total))
        bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
        if let suffix { bytes.append(contentsOf: UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)) }
    }

    mutating func appendEmpty() {
        runs.append((bytes.count, 0))
    }

    mutating func appendOpaque() {
        runs.append((bytes.count, -1))
    }

    /// Appends the first `end` runs of `other`.
    mutating func append(contentsOf other: ByteRuns, upTo end: Int) {
        for run in other.runs.prefix(end) {
            if run.count < 0 {
                appendOpaque()
            } else {
                other.bytes.withUnsafeBufferPointer { stored in
                    if let base = stored.baseAddress { append(base + run.start, run.count) } else { appendEmpty() }
                }
            }
        }
    }

    /// Whether the run at `index` is `count` bytes from `start`, then `suffix` if given.
    func equals(_ index: Int, _ start: UnsafePointer<UInt8>?, _ count: Int, suffix: StaticString? = nil) -> Bool {
        guard index < runs.count else { return false }
        let run = runs[index]
        let suffixCount = suffix?.utf8CodeUnitCount ?? 0
        guard run.count >= 0, run.count == count + suffixCount else { return false }
        guard run.count > 0 else { return true }
        return bytes.withUnsafeBufferPointer { stored -> Bool in
            guard let base = stored.baseAddress else { return false }
            if count > 0 {
                guard let start, memcmp(base + run.start, start, count) == 0 else { return false }
            }
            if let suffix, suffixCount > 0, memcmp(base + run.start + count, suffix.utf8Start, suffixCount) != 0 { return false }
            return true
        }
    }
}

/// The names of the record before, with their bytes (`ByteRuns`): the records of one export list the
/// same fields in the same order, so a reader compares each name of the next record with the one at
/// its position by bytes, and hands out the same array when all are the same.
struct PreviousNames {
    private(set) var names: [String] = []
    private var bytes = ByteRuns()

    init() {}

    init(_ names: [String]) {
        self.names = names
        for var name in names {
            name.withUTF8 { utf8 in
                if let base = utf8.baseAddress { bytes.append(base, utf8.count) } else { bytes.appendEmpty() }
            }
        }
    }

    var count: Int { names.count }

    /// Whether the name at `index` is the `count` bytes at `start`.
    func equals(_ index: Int, _ start: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
        bytes.equals(index, start, count)
    }
}
