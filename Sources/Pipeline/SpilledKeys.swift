#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The ids `DuplicateKeys` moved out of memory: sorted runs of (hash, place) in one temporary
/// file (`DuplicateKeys`' filter, in front, answers "never seen" for nearly every new id without
/// reading it). What stays in memory is fixed whatever the input's size: per run, the first hash of
/// every block of the file (8 bytes per 512 ids).
///
/// The file is unlinked as soon as it is made: it goes away with the process, however it ends. Its
/// pages live in the kernel's page cache, which the kernel reclaims as it needs, not in the process.
final class SpilledKeys {
    /// Bytes of one stored id: the hash, then the place, little-endian.
    static let entryBytes = 12
    /// Ids per block: one read of 6 KB finds an id within a run.
    static let blockEntries = 512
    /// Runs at most; past this many, all are merged into one, so a lookup reads at most this many blocks.
    static let maxRuns = 8

    private struct Run {
        var offset: Int64
        var count: Int
        /// The first hash of each block.
        var firstHashes: [UInt64]
    }

    private var descriptor: Int32
    private let directory: String
    private var runs: [Run] = []
    private var end: Int64 = 0

    /// Makes the file in `directory`. Throws when it cannot be made (the caller keeps ids in memory).
    init(directory: String) throws {
        self.directory = directory
        descriptor = try Self.makeFile(in: directory)
    }

    /// A new file, already unlinked.
    private static func makeFile(in directory: String) throws -> Int32 {
        var template = Array((directory + "/refbridge-ids.XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else { throw SpillError(operation: "create a temporary file in \(directory)", code: errno) }
        template.withUnsafeBufferPointer { buffer in _ = buffer.baseAddress.map { unlink($0) } }
        return descriptor
    }

    deinit { close(descriptor) }

    /// Bytes gathered before a write: runs and merges stream through a buffer this size, so a
    /// spill of 65k ids or a merge of millions costs the same memory (a 1.5 MB run built whole, and
    /// the 2 MB array of ids it was built from, left holes in the heap that RSS kept).
    static let writeBytes = 64 << 10

    /// Writes ids as a new run. `produce` hands every id to its argument once, in increasing hash
    /// order (checked: a run out of order would hide ids from the binary search).
    func appendRun(_ produce: (_ emit: (UInt64, UInt32) throws -> Void) throws -> Void) throws {
        var run = Run(offset: end, count: 0, firstHashes: [])
        var writer = RunWriter(keys: self, descriptor: descriptor, at: end)
        var last: UInt64?
        try produce { hash, place in
            if let last, hash < last { throw SpillError(operation: "write the id spill file in hash order", code: EINVAL) }
            last = hash
            if run.count % Self.blockEntries == 0 { run.firstHashes.append(hash) }
            run.count += 1
            try writer.add(hash, place)
        }
        guard run.count > 0 else { return }
        end = try writer.finish()
        runs.append(run)
        if runs.count > Self.maxRuns { try mergeAll() }
    }

    /// Ids encoded into a buffer that is written out whenever it holds `writeBytes`.
    private struct RunWriter {
        let keys: SpilledKeys
        let descriptor: Int32
        var offset: Int64
        var buffer: [UInt8] = []

        init(keys: SpilledKeys, descriptor: Int32, at offset: Int64) {
            self.keys = keys
            self.descriptor = descriptor
            self.offset = offset
            buffer.reserveCapacity(SpilledKeys.writeBytes + SpilledKeys.entryBytes)
        }

        mutating func add(_ hash: UInt64, _ place: UInt32) throws {
            withUnsafeBytes(of: hash.littleEndian) { buffer.append(contentsOf: $0) }
            withUnsafeBytes(of: place.littleEndian) { buffer.append(contentsOf: $0) }
            if buffer.count >= SpilledKeys.writeBytes { try flush() }
        }

        private mutating func flush() throws {
            try keys.write(buffer, at: offset, to: descriptor)
            offset += Int64(buffer.count)
            buffer.removeAll(keepingCapacity: true)
        }

        /// Writes what is left; the offset just past the run.
        mutating func finish() throws -> Int64 {
            try flush()
            return offset
        }
    }

    /// The place stored for `hash`, newest run first; nil if no run holds it.
    func place(of hash: UInt64) throws -> UInt32? {
        for run in runs.reversed() {
            // The last block whose first hash is at most `hash`.
            var low = 0
            var high = run.firstHashes.count - 1
            guard high >= 0, run.firstHashes[0] <= hash else { continue }
            while low < high {
                let middle = (low + high + 1) / 2
                if run.firstHashes[middle] <= hash { low = middle } else { high = middle - 1 }
            }
            let first = low * Self.blockEntries
            let count = min(Self.blockEntries, run.count - first)
            let block = try read(count: count, at: run.offset + Int64(first * Self.entryBytes))
            var bottom = 0
            var top = count - 1
            while bottom <= top {
                let middle = (bottom + top) / 2
                let found = Self.hash(in: block, at: middle)
                if found == hash { return Self.place(in: block, at: middle) }
                if found < hash { bottom = middle + 1 } else { top = middle - 1 }
            }
        }
        return nil
    }

    /// Merges every run into one, in a new file that then replaces the old one (whose space goes
    /// back to the file system). The old runs stay as they are until the merged one is written, so
    /// a failed merge loses nothing.
    private func mergeAll() throws {
        let target = try Self.makeFile(in: directory)
        do {
            let (merged, size) = try merge(into: target)
            close(descriptor)
            descriptor = target
            end = size
            runs = [merged]
        } catch {
            close(target)
            throw error
        }
    }

    /// Every run's ids in hash order, each once, written to `target` from its start.
    private func merge(into target: Int32) throws -> (Run, Int64) {
        var readers = runs.map { RunReader(run: $0) }
        var heads: [(hash: UInt64, place: UInt32)?] = []
        for index in readers.indices { heads.append(try readers[index].head(in: self)) }
        var merged = Run(offset: 0, count: 0, firstHashes: [])
        var writer = RunWriter(keys: self, descriptor: target, at: 0)
        var lastHash: UInt64?
        while true {
            // The smallest head (at most `maxRuns + 1` runs: a linear scan).
            var best: (index: Int, hash: UInt64, place: UInt32)?
            for (index, head) in heads.enumerated() {
                guard let head else { continue }
                if best == nil || head.hash < best?.hash ?? 0 { best = (index, head.hash, head.place) }
            }
            guard let best else { break }
            readers[best.index].advance()
            heads[best.index] = try readers[best.index].head(in: self)
            // An id found in a run and spilled again sits in two runs, with the same place.
            if best.hash == lastHash { continue }
            lastHash = best.hash
            if merged.count % Self.blockEntries == 0 { merged.firstHashes.append(best.hash) }
            merged.count += 1
            try writer.add(best.hash, best.place)
        }
        return (merged, try writer.finish())
    }

    /// Reads one run in order, a buffer at a time.
    private struct RunReader {
        let run: Run
        var next = 0
        var buffer: [UInt8] = []
        var bufferStart = 0

        init(run: Run) { self.run = run }

        mutating func head(in keys: SpilledKeys) throws -> (hash: UInt64, place: UInt32)? {
            guard next < run.count else { return nil }
            let bufferCount = buffer.count / SpilledKeys.entryBytes
            if next >= bufferStart + bufferCount || buffer.isEmpty {
                bufferStart = next
                let count = min(SpilledKeys.blockEntries, run.count - next)
                buffer = try keys.read(count: count, at: run.offset + Int64(next * SpilledKeys.entryBytes))
            }
            let index = next - bufferStart
            return (SpilledKeys.hash(in: buffer, at: index), SpilledKeys.place(in: buffer, at: index))
        }

        mutating func advance() { next += 1 }
    }

    // MARK: file access

    fileprivate func read(count: Int, at offset: Int64) throws -> [UInt8] {
        try readBytes(count: count * Self.entryBytes, at: offset)
    }

    fileprivate func readBytes(count: Int, at offset: Int64) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                buffer.baseAddress.map { pread(descriptor, $0 + done, count - done, off_t(offset) + off_t(done)) } ?? -1
            }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { throw SpillError(operation: "read the id spill file", code: got < 0 ? errno : EIO) }
            done += got
        }
        return bytes
    }

    fileprivate func write(_ bytes: [UInt8], at offset: Int64, to descriptor: Int32) throws {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { buffer in
                buffer.baseAddress.map { pwrite(descriptor, $0 + done, bytes.count - done, off_t(offset) + off_t(done)) } ?? -1
            }
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else { throw SpillError(operation: "write the id spill file", code: wrote < 0 ? errno : EIO) }
            done += wrote
        }
    }

    private static func hash(in bytes: [UInt8], at index: Int) -> UInt64 {
        bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: index * entryBytes, as: UInt64.self)) }
    }

    private static func place(in bytes: [UInt8], at index: Int) -> UInt32 {
        bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: index * entryBytes + 8, as: UInt32.self)) }
    }
}

struct SpillError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32
    var description: String { "cannot \(operation): \(String(cString: strerror(code)))" }
}

/// A Bloom filter in 64-byte blocks: an id sets 6 bits within one block, so a lookup touches one
/// cache line. 4 MB answers "maybe" for about 1 new id in 1,400 at 2 million ids, 1 in 70 at 5
/// million; a "maybe" costs a block read per run, never a wrong answer.
struct BlockedFilter {
    private var words: [UInt64]
    private let blocks: Int

    init(bytes: Int) {
        blocks = max(1, bytes / 64)
        words = [UInt64](repeating: 0, count: blocks * 8)
    }

    /// The block, and 6 bit positions (0..<512) in it, from bits of the hash mixed two ways.
    private func bits(_ hash: UInt64) -> (block: Int, spread: UInt64) {
        let forBlock = hash &* 0x9E37_79B9_7F4A_7C15
        let block = Int(truncatingIfNeeded: forBlock.multipliedFullWidth(by: UInt64(blocks)).high)
        return (block, (hash ^ (hash >> 31)) &* 0xBF58_476D_1CE4_E5B9)
    }

    mutating func add(_ hash: UInt64) {
        let (block, spread) = bits(hash)
        for k in 0..<6 {
            let bit = Int((spread >> (9 * k)) & 511)
            words[block * 8 + bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    func mayContain(_ hash: UInt64) -> Bool {
        let (block, spread) = bits(hash)
        for k in 0..<6 {
            let bit = Int((spread >> (9 * k)) & 511)
            if words[block * 8 + bit >> 6] & (1 << UInt64(bit & 63)) == 0 { return false }
        }
        return true
    }
}
