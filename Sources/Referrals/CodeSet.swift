/// A set of fixed-length capital-letter codes (ISO 3166 alpha-2, ISO 4217) that answers `contains`
/// as `Set<String>` does, without hashing in the usual case.
///
/// The mapping layer and the validator look up a country and a currency for every record (four
/// `Set<String>` lookups, each hashing with SipHash). An ASCII text equals a code exactly when their
/// bytes are equal (ASCII is its own normal form), so such a text is looked up in a bit table indexed
/// by its letters; any other text (non-ASCII: `"\u{212A}E"`, with a Kelvin sign, is `"KE"` to
/// Swift's `==`) goes to the `Set`, so the answers never differ from it.
struct CodeSet: Sendable {
    let all: Set<String>
    private let length: Int
    /// Bit `i` of the table for the code whose letters, read as base-26 digits, make `i`; empty when
    /// some code is not `length` capital letters (then every lookup uses the `Set`).
    private let bits: [UInt64]

    init(_ all: Set<String>, length: Int) {
        self.all = all
        self.length = length
        var bits = [UInt64](repeating: 0, count: (Self.power(26, length) + 63) / 64)
        for code in all {
            guard let index = Self.index(Array(code.utf8), length: length) else {
                bits = []
                break
            }
            bits[index >> 6] |= 1 << UInt64(index & 63)
        }
        self.bits = bits
    }

    func contains(_ text: String) -> Bool {
        if !bits.isEmpty {
            let answer: Bool?? = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
                var ascii = true
                for byte in bytes where byte >= 0x80 { ascii = false }
                guard ascii else { return nil }
                guard let index = Self.index(bytes, length: length) else { return false }
                return bits[index >> 6] & (1 << UInt64(index & 63)) != 0
            }
            if let answer = answer ?? nil { return answer }
        }
        return all.contains(text)
    }

    /// The table index of `bytes` when they are `length` capital ASCII letters, else nil.
    private static func index(_ bytes: some Collection<UInt8>, length: Int) -> Int? {
        guard bytes.count == length else { return nil }
        var index = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { return nil }
            index = index * 26 + Int(byte - UInt8(ascii: "A"))
        }
        return index
    }

    private static func power(_ base: Int, _ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { product, _ in product * base }
    }
}
