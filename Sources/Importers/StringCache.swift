#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A text's length and its first and last eight bytes (for texts of 8 bytes and more), or `opaque`:
/// a text that is not compared (short, or decoded, so that its bytes are not its text). Two loads
/// tell most different texts apart before any is compared whole.
struct TextKey: Equatable {
    var count: Int
    var head: UInt64
    var tail: UInt64

    static let opaque = TextKey(count: -1, head: 0, tail: 0)

    private init(count: Int, head: UInt64, tail: UInt64) {
        self.count = count
        self.head = head
        self.tail = tail
    }

    /// For `count` ≥ 8 bytes from `start` (both loads stay inside the text).
    init(_ start: UnsafePointer<UInt8>, _ count: Int) {
        self.count = count
        head = UnsafeRawPointer(start).loadUnaligned(as: UInt64.self)
        tail = UnsafeRawPointer(start + (count - 8)).loadUnaligned(as: UInt64.self)
    }

    /// Whether `text` is the `length` bytes at `bytes` (false for a string that is not contiguous
    /// UTF-8, which then only costs a new string).
    static func equal(_ text: String, _ bytes: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { utf8 in
            utf8.count == length && (length == 0 || utf8.baseAddress.map { memcmp($0, bytes, length) == 0 } ?? false)
        } ?? false
    }
}

/// Strings a reader made recently, found again by their bytes: an export repeats many values in
/// other records than the one before (a subject, a city, a company, a date, an owner), and handing
/// out the string made before costs a retain where a new one cost an allocation here and a free on
/// a mapping thread.
///
/// Direct-mapped by the text's `TextKey` (a newer text takes the slot of an older one), so it holds
/// at most `slots` strings of at most `maximumLength` bytes: about 0.7 MB at the most. A string is
/// handed out only for the very bytes it holds (compared whole), so what a reader yields does not
/// change: `String(decoding:)` of valid UTF-8 is those bytes, and bytes equal to a `String`'s are
/// valid UTF-8. One per reader, used on its thread only.
final class StringCache {
    /// Texts this long or longer are cached: a shorter one is a small string (no allocation).
    static let minimumLength = 16
    static let maximumLength = 128
    private static let slots = 4096

    private struct Entry {
        var key: TextKey
        var text: String
    }

    /// Behind a pointer, not an array property: no exclusivity check and no uniqueness check per lookup.
    private let entries: UnsafeMutablePointer<Entry>

    init() {
        entries = .allocate(capacity: Self.slots)
        entries.initialize(repeating: Entry(key: .opaque, text: ""), count: Self.slots)
    }

    deinit {
        entries.deinitialize(count: Self.slots)
        entries.deallocate()
    }

    private static func slot(_ key: TextKey) -> Int {
        let mixed = (key.head &* 0x9E37_79B9_7F4A_7C15) ^ (key.tail &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(truncatingIfNeeded: key.count)
        // The top 12 bits: 0..<4096.
        return Int(truncatingIfNeeded: mixed >> 52)
    }

    /// The string made before from the `count` bytes at `start` (whose key is `key`), if it is still here.
    func string(_ start: UnsafePointer<UInt8>, _ count: Int, key: TextKey) -> String? {
        guard count >= Self.minimumLength, count <= Self.maximumLength else { return nil }
        let entry = entries + Self.slot(key)
        guard entry.pointee.key == key, TextKey.equal(entry.pointee.text, start, count) else { return nil }
        return entry.pointee.text
    }

    /// The UTF-8 text of `bytes`: the string made before from the same bytes if it is still here
    /// (no UTF-8 check needed: bytes equal to a `String`'s are valid), else a new one, kept for
    /// later; nil when the bytes are not valid UTF-8. `ascii`: the caller knows they are ASCII.
    func text(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> String? {
        guard let base = bytes.baseAddress, bytes.count >= Self.minimumLength, bytes.count <= Self.maximumLength else {
            return UTF8Text.string(bytes, ascii: ascii)
        }
        let key = TextKey(base, bytes.count)
        if let cached = string(base, bytes.count, key: key) { return cached }
        guard let text = UTF8Text.string(bytes, ascii: ascii) else { return nil }
        insert(text, key: key)
        return text
    }

    /// Keeps `text` (made from bytes whose key is `key`) for later.
    func insert(_ text: String, key: TextKey) {
        guard key.count >= Self.minimumLength, key.count <= Self.maximumLength else { return }
        (entries + Self.slot(key)).pointee = Entry(key: key, text: text)
    }
}
