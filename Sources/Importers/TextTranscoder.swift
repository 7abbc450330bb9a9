/// Turns a CSV file's bytes into UTF-8, whatever the file's encoding, so the parser sees one
/// encoding. Decides the encoding from the BOM, the option, and (for `auto` without a BOM) whether
/// the first megabyte is valid UTF-8.
final class UTF8Source: ByteSource {
    enum Encoding { case utf8, utf16le, utf16be, windows1252 }

    private let source: any ByteSource
    private(set) var encoding: Encoding
    private var raw: [UInt8] = []
    private var rawOffset = 0
    private var ended = false
    var consumed: Int64 { source.consumed }
    /// What the user should know (a fallback was used).
    private(set) var notice: String?

    init(source: any ByteSource, option: TextEncodingOption, file: String) throws {
        self.source = source
        // Read the start once to look at the BOM and sniff.
        while raw.count < ByteSources.chunkSize, (try source.read(into: &raw, count: ByteSources.chunkSize)) > 0 {}
        ended = raw.count < ByteSources.chunkSize
        var bomLength = 0
        var bom: Encoding?
        if raw.starts(with: [0xEF, 0xBB, 0xBF]) {
            bom = .utf8
            bomLength = 3
        } else if raw.starts(with: [0xFF, 0xFE]) {
            bom = .utf16le
            bomLength = 2
        } else if raw.starts(with: [0xFE, 0xFF]) {
            bom = .utf16be
            bomLength = 2
        }
        switch option {
        case .auto:
            if let bom {
                encoding = bom
            } else if Self.isValidUTF8Prefix(raw, complete: ended) {
                encoding = .utf8
            } else {
                encoding = .windows1252
                notice = "\(file): not valid UTF-8 and no BOM: read as Windows-1252 (set `encoding:` in the mapping to be explicit)"
            }
        case .utf8: encoding = .utf8
        case .utf16le: encoding = .utf16le
        case .utf16be: encoding = .utf16be
        case .windows1252: encoding = .windows1252
        }
        // A BOM of the chosen encoding is not data.
        if bom == encoding { rawOffset = bomLength }
    }

    func read(into buffer: inout [UInt8], count: Int) throws -> Int {
        if rawOffset >= raw.count {
            raw.removeAll(keepingCapacity: true)
            rawOffset = 0
            if try ended || source.read(into: &raw, count: count) == 0 {
                ended = true
                return 0
            }
        }
        let before = buffer.count
        switch encoding {
        case .utf8:
            buffer.append(contentsOf: raw[rawOffset...])
            rawOffset = raw.count
        case .windows1252:
            buffer.reserveCapacity(buffer.count + (raw.count - rawOffset) * 2)
            for byte in raw[rawOffset...] { Self.appendWindows1252(byte, to: &buffer) }
            rawOffset = raw.count
        case .utf16le, .utf16be:
            // Keep an odd byte or a lone high surrogate for the next chunk.
            while rawOffset + 1 < raw.count {
                let unit = unit(at: rawOffset)
                if (0xD800..<0xDC00).contains(unit) {
                    if rawOffset + 3 >= raw.count {
                        if try ended || source.read(into: &raw, count: count) == 0 {
                            ended = true
                            Self.appendScalar(0xFFFD, to: &buffer)
                            rawOffset += 2
                            continue
                        }
                        continue
                    }
                    let low = self.unit(at: rawOffset + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        Self.appendScalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00), to: &buffer)
                        rawOffset += 4
                    } else {
                        Self.appendScalar(0xFFFD, to: &buffer)
                        rawOffset += 2
                    }
                } else {
                    Self.appendScalar((0xDC00..<0xE000).contains(unit) ? 0xFFFD : UInt32(unit), to: &buffer)
                    rawOffset += 2
                }
            }
            if rawOffset < raw.count {
                // One byte left over: move it to the front and fetch more next time.
                raw = Array(raw[rawOffset...])
                rawOffset = 0
                if try ended || source.read(into: &raw, count: count) == 0 {
                    ended = true
                    raw = []
                }
            }
        }
        return buffer.count - before
    }

    private func unit(at index: Int) -> UInt16 {
        encoding == .utf16le ? UInt16(raw[index]) | UInt16(raw[index + 1]) << 8 : UInt16(raw[index]) << 8 | UInt16(raw[index + 1])
    }

    static func appendScalar(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            buffer.append(UInt8(scalar))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | scalar >> 6))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | scalar >> 12))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | scalar >> 18))
            buffer.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Windows-1252's 0x80–0x9F differ from Latin-1; five of them are undefined (kept as U+FFFD).
    static let high: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    static func appendWindows1252(_ byte: UInt8, to buffer: inout [UInt8]) {
        if byte < 0x80 {
            buffer.append(byte)
        } else if byte < 0xA0 {
            appendScalar(high[Int(byte - 0x80)], to: &buffer)
        } else {
            appendScalar(UInt32(byte), to: &buffer)
        }
    }

    /// Valid UTF-8, allowing a sequence cut at the end of an incomplete prefix.
    static func isValidUTF8Prefix(_ bytes: [UInt8], complete: Bool) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            if byte < 0x80 { index += 1; continue }
            else if byte & 0xE0 == 0xC0, byte >= 0xC2 { length = 2 }
            else if byte & 0xF0 == 0xE0 { length = 3 }
            else if byte & 0xF8 == 0xF0, byte <= 0xF4 { length = 4 }
            else { return false }
            if index + length > bytes.count { return !complete }
            for offset in 1..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
