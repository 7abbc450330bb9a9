/// Turns a CSV file's bytes into UTF-8, whatever the file's encoding, so the parser sees one
/// encoding. Decides the encoding from the BOM (which wins over the option, with a notice), the
/// option, and (for `auto` without a BOM) whether the first megabyte is valid UTF-8. A start that
/// decodes to garbage under the chosen encoding stops the file with the likely cause, rather than
/// yielding one unreadable header and no record.
final class UTF8Source: ByteSource {
    enum Encoding: String { case utf8 = "UTF-8", utf16le = "UTF-16LE", utf16be = "UTF-16BE", utf32le = "UTF-32LE", utf32be = "UTF-32BE", windows1252 = "Windows-1252" }

    private let source: any ByteSource
    private(set) var encoding: Encoding
    private var raw: [UInt8] = []
    private var rawOffset = 0
    private var ended = false
    var consumed: Int64 { source.consumed }
    /// What the user should know (a fallback was used, the BOM overruled the option).
    private(set) var notice: String?
    /// The encoding the file's BOM names, if it has one.
    private(set) var bom: Encoding?

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
        } else if raw.starts(with: [0xFF, 0xFE, 0, 0]) {
            // Before UTF-16LE, whose BOM is its prefix.
            bom = .utf32le
            bomLength = 4
        } else if raw.starts(with: [0, 0, 0xFE, 0xFF]) {
            bom = .utf32be
            bomLength = 4
        } else if raw.starts(with: [0xFF, 0xFE]) {
            bom = .utf16le
            bomLength = 2
        } else if raw.starts(with: [0xFE, 0xFF]) {
            bom = .utf16be
            bomLength = 2
        }
        self.bom = bom
        let named: Encoding?
        switch option {
        case .auto: named = nil
        case .utf8: named = .utf8
        case .utf16le: named = .utf16le
        case .utf16be: named = .utf16be
        case .utf32le: named = .utf32le
        case .utf32be: named = .utf32be
        case .windows1252: named = .windows1252
        }
        if let bom {
            // The BOM is the file's own statement; an option that contradicts it is a mistake.
            encoding = bom
            if let named, named != bom {
                notice = "\(file): `encoding: \(option.rawValue)` was set, but the file begins with a \(bom.rawValue) byte order mark: read as \(bom.rawValue) (remove `encoding:` or correct it)"
            }
        } else if let named {
            encoding = named
        } else if Self.isValidUTF8Prefix(raw, complete: ended) {
            encoding = .utf8
        } else {
            encoding = .windows1252
            notice = "\(file): not valid UTF-8 and no BOM: read as Windows-1252 (set `encoding:` in the mapping to be explicit)"
        }
        // A BOM of the chosen encoding is not data.
        if bom == encoding { rawOffset = bomLength }
        if let problem = Self.garbage(raw[rawOffset...], as: encoding, complete: ended) {
            let how = bom != nil ? "its \(bom!.rawValue) byte order mark says" : (named != nil ? "`encoding: \(option.rawValue)` says" : "was detected")
            throw ImportError(file: file, message: "the file does not read as \(encoding.rawValue), which \(how): \(problem)")
        }
    }

    /// Why the start of a file is not text in `encoding`, or nil when it reads as text. Only the
    /// wide encodings are checked: any byte sequence is some Windows-1252 text, and invalid UTF-8 is
    /// reported field by field.
    static func garbage(_ sample: ArraySlice<UInt8>, as encoding: Encoding, complete: Bool) -> String? {
        let width: Int
        switch encoding {
        case .utf8, .windows1252: return nil
        case .utf16le, .utf16be: width = 2
        case .utf32le, .utf32be: width = 4
        }
        let bytes = Array(sample.prefix(64 * 1024))
        let units = bytes.count / width
        guard units > 0 else { return nil }
        var nul = 0
        var lineBreaks = 0
        var invalid = 0
        var index = 0
        for _ in 0..<units {
            let value: UInt32
            switch encoding {
            case .utf16le: value = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
            case .utf16be: value = UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            case .utf32le: value = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
            default: value = UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
            }
            index += width
            if value == 0 { nul += 1 }
            if value == 10 || value == 13 { lineBreaks += 1 }
            if value > 0x10FFFF || (width == 4 && (0xD800..<0xE000).contains(value)) { invalid += 1 }
        }
        if width == 2, nul * 4 >= units {
            return "a quarter or more of its characters are NUL, as when a UTF-32 body follows a 2-byte BOM (a malformed file) or the file is binary; save it again as UTF-8 or UTF-16 with its BOM"
        }
        if invalid > 0 {
            return "\(invalid) of its first \(units) code units are not characters; check the encoding, or save the file again as UTF-8"
        }
        let singleByteBreaks = bytes.contains(10) || bytes.contains(13)
        if lineBreaks == 0, singleByteBreaks, complete || units * width >= 64 * 1024 {
            return "read that way it has no line break, though its bytes hold single-byte ones: it looks like a single-byte encoding (Windows-1252 or UTF-8); remove `encoding:` to detect it, or name the right one"
        }
        return nil
    }

    func read(into buffer: inout [UInt8], count: Int) throws -> Int {
        // A read that only carried part of a wide character over decodes nothing: read on, since
        // 0 would tell the reader the file has ended.
        while true {
            let produced = try readOnce(into: &buffer, count: count)
            if produced > 0 || ended { return produced }
        }
    }

    private func readOnce(into buffer: inout [UInt8], count: Int) throws -> Int {
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
        case .utf32le, .utf32be:
            while rawOffset + 3 < raw.count {
                let value = encoding == .utf32le
                    ? UInt32(raw[rawOffset]) | UInt32(raw[rawOffset + 1]) << 8 | UInt32(raw[rawOffset + 2]) << 16 | UInt32(raw[rawOffset + 3]) << 24
                    : UInt32(raw[rawOffset]) << 24 | UInt32(raw[rawOffset + 1]) << 16 | UInt32(raw[rawOffset + 2]) << 8 | UInt32(raw[rawOffset + 3])
                Self.appendScalar(value > 0x10FFFF || (0xD800..<0xE000).contains(value) ? 0xFFFD : value, to: &buffer)
                rawOffset += 4
            }
            if rawOffset < raw.count {
                // Part of a unit left over: move it to the front and fetch more next time.
                raw = Array(raw[rawOffset...])
                rawOffset = 0
                if try ended || source.read(into: &raw, count: count) == 0 {
                    ended = true
                    raw = []
                }
            }
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
        bytes.withUnsafeBufferPointer { UTF8Text.isValidPrefix($0, complete: complete) }
    }
}
