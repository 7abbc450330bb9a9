import Foundation

/// A mapping's value map (`map:`) as the per-record loop looks it up: an ASCII text is found by its
/// bytes in an open-addressing table (FNV-1a), with no `String` hashing (SipHash) and, for the
/// case-insensitive lookup, no lower-cased copy; any other text goes to the dictionary. The answers
/// are the dictionary's, always:
///
/// Swift's `==` on `String` is canonical equivalence, and an ASCII text is its own normal form, so
/// it equals a key exactly when the key's NFC form has the same bytes (`"\u{212A}"`, a Kelvin sign,
/// is `"K"` to Swift): keys go into the table under their NFC bytes. A key whose NFC form is not
/// ASCII can equal only a non-ASCII text, which the dictionary answers.
///
/// A class: a compiled rule holds it, and reading a struct of four arrays out of a class copies it
/// (four retains and releases a lookup); a reference costs one.
final class ValueTable: Sendable {
    let dictionary: [String: String]
    /// Index into `keys`/`values` by hash slot, -1 for an empty slot; a power of two long, at most
    /// half full. Empty when the dictionary is used for every text.
    private let slots: [Int32]
    private let keys: [[UInt8]]
    private let values: [String]

    init(_ dictionary: [String: String]) {
        self.dictionary = dictionary
        var keys: [[UInt8]] = []
        var values: [String] = []
        var usable = true
        for (key, value) in dictionary {
            let normal = key.precomposedStringWithCanonicalMapping
            // NFC changes nothing `==` sees; should it ever, the table is not used at all.
            guard normal == key else {
                usable = false
                break
            }
            let bytes = Array(normal.utf8)
            if bytes.allSatisfy({ $0 < 0x80 }) {
                keys.append(bytes)
                values.append(value)
            }
        }
        var count = 8
        while count < keys.count * 2 { count *= 2 }
        var slots = [Int32](repeating: -1, count: usable ? count : 0)
        if usable {
            for (entry, key) in keys.enumerated() {
                var slot = Int(truncatingIfNeeded: key.withUnsafeBufferPointer { Self.hash($0, folding: false) }) & (count - 1)
                while slots[slot] >= 0 { slot = (slot + 1) & (count - 1) }
                slots[slot] = Int32(entry)
            }
        }
        self.slots = slots
        self.keys = usable ? keys : []
        self.values = usable ? values : []
    }

    /// `dictionary[text]`.
    func value(for text: String) -> String? {
        if !slots.isEmpty, let answer = text.utf8.withContiguousStorageIfAvailable({ find($0, folding: false) }), let found = answer {
            return found
        }
        return dictionary[text]
    }

    /// `dictionary[FastText.lowered(FastText.trimmed(text))]`, for a dictionary whose keys are lower-cased
    /// and trimmed: an ASCII text is trimmed and lower-cased as it is hashed and compared.
    func value(forFolded text: String) -> String? {
        if !slots.isEmpty, let answer = text.utf8.withContiguousStorageIfAvailable({ bytes -> Lookup in
            // ASCII whitespace as `Character.isWhitespace` (FastText.trimmed) sees it: tab to CR, space.
            var start = 0
            var end = bytes.count
            while start < end, Self.isSpace(bytes[start]) { start += 1 }
            while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
            return find(UnsafeBufferPointer(rebasing: bytes[start..<end]), folding: true)
        }), let found = answer {
            return found
        }
        return dictionary[FastText.lowered(FastText.trimmed(text))]
    }

    /// nil: not ASCII, ask the dictionary; `.some(nil)`: not in the map; otherwise the value.
    private typealias Lookup = String??

    private func find(_ bytes: UnsafeBufferPointer<UInt8>, folding: Bool) -> Lookup {
        var bits: UInt8 = 0
        for byte in bytes { bits |= byte }
        guard bits < 0x80 else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(bytes, folding: folding)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return .some(nil) }
            if Self.equal(keys[entry], bytes, folding: folding) { return .some(values[entry]) }
            slot = (slot + 1) & mask
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (byte >= 9 && byte <= 13) }

    private static func lowered(_ byte: UInt8, _ folding: Bool) -> UInt8 {
        folding && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, folding: Bool) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(lowered(byte, folding))) &* 0x100_0000_01b3 }
        return hash ^ (hash >> 29)
    }

    private static func equal(_ key: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>, folding: Bool) -> Bool {
        guard key.count == bytes.count else { return false }
        for index in 0..<key.count where key[index] != lowered(bytes[index], folding) { return false }
        return true
    }
}
