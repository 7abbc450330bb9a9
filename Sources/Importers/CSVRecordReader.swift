import Foundation
/// RFC 4180 CSV as Excel and CRMs write it: quoted fields with delimiters, doubled quotes and
/// CR/LF/CRLF inside, any of the three line endings between records. Works on UTF-8 bytes (the
/// `UTF8Source` transcodes). A record is its bytes and field spans (`DeferredFields`), decoded
/// into one String per field here, or by the consumer with `ImportOptions.deferDecoding`.
final class CSVRecordReader: FormatReader {
    let file: String
    private let source: UTF8Source
    private var buffer: [UInt8] = []
    private var position = 0
    private var eof = false
    /// Line number of the byte at `position`.
    private var line = 1
    private var delimiter: UInt8
    private let sniff: Bool
    private(set) var header: [String]?
    private(set) var notices: [String] = []
    private var recordNumber = 0
    /// Reused for every record; swapped out of the reader while a record is read (see `Fields`).
    private var fields = Fields()
    /// `ImportOptions.deferDecoding`: records leave undecoded.
    private let deferDecoding: Bool
    /// Where an escaped field is unescaped when the reader decodes: reused.
    private var scratch: [UInt8] = []
    /// Values made recently, handed out again for the same bytes (see `StringCache`), when records
    /// are decoded here.
    private let cache = StringCache()
    /// Of the record `scan` found last: every field byte OR-ed (bit 7 set: not all ASCII), and the
    /// smallest field byte (0: a NUL). Gathered during the scan so no field is walked again for them.
    private var scannedBits: UInt8 = 0
    private var scannedMinimum: UInt8 = 0xFF
    private let maxRecordBytes: Int
    private let maxFieldBytes: Int
    /// `ImportOptions.readFields`, lower-cased names.
    private let readFields: Set<String>?
    /// By column: whether its value is made (`readFields` names it); empty until the header is read.
    private var materialized: [Bool] = []
    var consumed: Int64 { source.consumed }

    /// A record the scan would not build: it outgrew a limit.
    enum Oversize {
        /// Over the record limit: its first line was skipped unheld (a stray quote is the likely cause).
        case record
        /// This field (by index) is over the field limit.
        case field(Int)
    }

    init(file: String, source: any ByteSource, options: ImportOptions) throws {
        self.file = file
        maxRecordBytes = options.maxRecordBytes
        maxFieldBytes = options.maxFieldBytes
        readFields = options.readFields
        deferDecoding = options.deferDecoding
        self.source = try UTF8Source(source: source, option: options.encoding, file: file)
        if let notice = self.source.notice { notices.append(notice) }
        delimiter = options.delimiter ?? UInt8(ascii: ",")
        sniff = options.delimiter == nil
        buffer.reserveCapacity(ByteSources.chunkSize * 2)
    }

    enum Scan {
        case needMore
        /// A record ends at `end` (the index after its line break); `lines` line breaks were crossed.
        case record(end: Int, lines: Int, unterminated: Bool)
        case endOfInput
    }

    func next() throws -> ImportItem? {
        if header == nil {
            guard let item = try readHeader() else { return nil }
            if let item { return item }
        }
        while true {
            let startLine = line
            guard let (fields, blank, invalidField, unterminated, hasNul, oversize) = try scanRecord(decode: !deferDecoding) else { return nil }
            if blank { continue }
            recordNumber += 1
            let location = SourceLocation(file: file, record: recordNumber, line: startLine)
            switch oversize {
            case .record?:
                return .rejected(RejectedRecord(location: location, reason: "the record starting on line \(startLine) is longer than the \(maxRecordBytes)-byte record limit: a quote opened on that line may never close, or the line is that long; its first line was skipped unread and reading went on with the next line (raise `maxRecordBytes` if the record is genuine)"))
            case .field(let index)?:
                let name = header.flatMap { index < $0.count ? $0[index] : nil } ?? "column\(index + 1)"
                return .rejected(RejectedRecord(location: location, reason: "field '\(name)' on line \(startLine) is longer than the \(maxFieldBytes)-byte field limit (raise `maxFieldBytes` if it is genuine)"))
            case nil:
                break
            }
            if unterminated {
                return .rejected(RejectedRecord(location: location, reason: "a quoted field opened on line \(startLine) is never closed: check for a stray \" in that line; reading went on with the next line"))
            }
            if hasNul {
                // Only a file without a BOM can be UTF-16 that was taken for something else.
                let reason = source.bom.map { "line \(startLine) holds a NUL character, though the file's \($0.rawValue) byte order mark was honoured: the file may be binary or damaged" }
                    ?? "line \(startLine) holds a NUL byte: the file may be UTF-16 without a BOM (set `encoding: utf-16le`) or binary"
                return .rejected(RejectedRecord(location: location, reason: reason))
            }
            guard let names = header, let fields else {
                return .rejected(RejectedRecord(location: location, reason: "line \(startLine) could not be read"))
            }
            guard fields.count == names.count else {
                return .rejected(RejectedRecord(location: location, reason: "line \(startLine) has \(fields.count) fields, the header has \(names.count): a delimiter or quote is missing or extra"))
            }
            if let index = invalidField {
                return .rejected(RejectedRecord(location: location, reason: "field '\(names[index])' on line \(startLine) is not valid UTF-8: set `encoding: windows-1252` (or the file's real encoding) in the mapping's source"))
            }
            switch fields {
            case .decoded(let values): return .record(SourceRecord(location: location, names: names, values: values))
            case .deferred(let deferred): return .record(SourceRecord(location: location, names: names, deferred: deferred))
            }
        }
    }

    /// Reads the header; returns nil for an empty file, `.some(nil)` when the header is ready.
    private func readHeader() throws -> ImportItem?? {
        if sniff { try sniffDelimiter() }
        while true {
            let startLine = line
            guard let (scanned, blank, invalidField, unterminated, _, oversize) = try scanRecord(decode: false) else { return nil }
            if blank { continue }
            if oversize != nil {
                throw ImportError(file: file, message: "the header line \(startLine) is longer than the record or field limit (\(maxRecordBytes) / \(maxFieldBytes) bytes): check that the file is CSV with a header, or raise `maxRecordBytes`")
            }
            if unterminated {
                throw ImportError(file: file, message: "the header line \(startLine) opens a quote it never closes")
            }
            guard case .deferred(let fields)? = scanned else { continue }
            var names: [String] = []
            var seen: [String: Int] = [:]
            for index in 0..<fields.count {
                // A name that is not valid UTF-8 is treated as missing.
                let text = invalidField == nil ? fields.value(at: index).text : fields.checkedText(at: index)
                var name = (text ?? "").trimmingCharacters(in: .whitespaces)
                if name.isEmpty {
                    name = "column\(index + 1)"
                    notices.append("\(file): column \(index + 1) has no header name: called \(name)")
                }
                let key = name.lowercased()
                if let count = seen[key] {
                    let renamed = "\(name)_\(count + 1)"
                    notices.append("\(file): header '\(name)' appears more than once: column \(index + 1) is called \(renamed)")
                    seen[key] = count + 1
                    name = renamed
                } else {
                    seen[key] = 1
                }
                names.append(name)
            }
            header = names
            materialized = names.map { name in readFields.map { $0.contains(name.lowercased()) } ?? true }
            return .some(nil)
        }
    }

    private func sniffDelimiter() throws {
        while !eof, buffer.count - position < 64 * 1024, !buffer[position...].contains(10) { try refill() }
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0]
        var quoted = false
        for byte in buffer[position...] {
            if byte == 34 { quoted.toggle() }
            if quoted { continue }
            if byte == 10 || byte == 13 { break }
            if counts[byte] != nil { counts[byte]! += 1 }
        }
        if let best = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key != 44) }), best.value > 0 {
            delimiter = best.key
        }
    }

    private func refill() throws {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        // A record longer than a chunk doubles the read, so it is rescanned O(log n) times, not O(n);
        // never by more than the record limit, so the buffer stays under about twice the limit.
        if try source.read(into: &buffer, count: max(ByteSources.chunkSize, min(buffer.count, maxRecordBytes))) == 0 { eof = true }
    }

    /// A record's fields, decoded or as bytes.
    enum ScannedFields {
        case decoded([SourceValue])
        case deferred(DeferredFields)

        var count: Int {
            switch self {
            case .decoded(let values): values.count
            case .deferred(let fields): fields.count
            }
        }
    }

    /// The next record's fields, decoded (`decode`) or not; `blank` for a blank line; nil at the end
    /// of input. The first field that is not valid UTF-8 is `invalidField` (every field is checked,
    /// read or not; a decoded one is then `.null`).
    private func scanRecord(decode: Bool) throws -> (fields: ScannedFields?, blank: Bool, invalidField: Int?, unterminated: Bool, hasNul: Bool, oversize: Oversize?)? {
        // Locals for the whole record, swapped with the reader's (no reference counting): copied
        // out of the properties and written back, each array cost a retain and a release per record.
        var fields = Fields()
        var scratch: [UInt8] = []
        swap(&fields, &self.fields)
        swap(&scratch, &self.scratch)
        defer {
            swap(&fields, &self.fields)
            swap(&scratch, &self.scratch)
        }
        while true {
            switch scan(from: position, into: &fields) {
            case .needMore:
                // One compare a refill: a record can never make the buffer grow past the limit.
                if buffer.count - position > maxRecordBytes {
                    try skipFirstLine()
                    return (nil, false, nil, false, false, .record)
                }
                try refill()
            case .endOfInput:
                return nil
            case .record(let end, let lines, let unterminated):
                if end - position > maxRecordBytes {
                    try skipFirstLine()
                    return (nil, false, nil, false, false, .record)
                }
                if unterminated {
                    // Recover: skip only the first line of the broken record and go on from there.
                    let lineEnd = firstLineEnd(from: position)
                    position = lineEnd
                    line += 1
                    return (nil, false, nil, true, false, nil)
                }
                defer {
                    position = end
                    line += lines
                }
                let spans = fields.spans
                if spans.count == 1, spans[0].start == spans[0].end, !spans[0].escaped {
                    return (nil, true, nil, false, false, nil)
                }
                // Only a record bigger than the field limit can hold a field over it.
                if end - position > maxFieldBytes, let index = spans.firstIndex(where: { $0.end - $0.start > maxFieldBytes }) {
                    return (nil, false, nil, false, false, .field(index))
                }
                let hasNul = scannedMinimum == 0
                var invalidField: Int?
                let start = position
                // Before the header is known every column is made (the header is read through here).
                let materialized = self.materialized
                let scanned = buffer.withUnsafeBufferPointer { bytes -> ScannedFields in
                    if scannedBits >= 0x80 {
                        // A doubled quote cannot make or mend invalid UTF-8 (a quote is no
                        // continuation byte), so the raw bytes of an escaped field tell.
                        invalidField = spans.firstIndex { !UTF8Text.isValid(UnsafeBufferPointer(rebasing: bytes[$0.start..<$0.end])) }
                    }
                    // A record with an invalid field is rejected: nothing of it is decoded.
                    if decode, invalidField == nil {
                        // Decoded in place, with the cache: copying the bytes first cost 3 % of a preview.
                        return .decoded(DeferredFields.values(spans, in: bytes, origin: 0, materialized: materialized, scratch: &scratch, cache: cache))
                    }
                    let record = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    return .deferred(DeferredFields(bytes: record, spans: spans, origin: start, materialized: materialized, delimiter: delimiter))
                }
                return (scanned, false, invalidField, false, hasNul, nil)
            }
        }
    }

    /// A quoted field's bytes with each doubled quote made one, into `scratch` (emptied first).
    static func unescape(_ field: UnsafeBufferPointer<UInt8>, into scratch: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        var skip = false
        for byte in field {
            if skip { skip = false; continue }
            scratch.append(byte)
            if byte == 34 { skip = true }
        }
    }

    /// Passes over the line at `position` and its line break without holding it, reading on as
    /// needed (the line may be longer than any buffer we allow).
    private func skipFirstLine() throws {
        var index = position
        while true {
            while index < buffer.count {
                let byte = buffer[index]
                if byte == 10 || byte == 13 {
                    if byte == 13, index + 1 >= buffer.count, !eof {
                        // A CR at the end of what is read: whether an LF follows decides the break.
                        position = index
                        try refill()
                        index = position
                        continue
                    }
                    position = byte == 13 && index + 1 < buffer.count && buffer[index + 1] == 10 ? index + 2 : index + 1
                    line += 1
                    return
                }
                index += 1
            }
            position = index
            if eof {
                line += 1
                return
            }
            try refill()
            index = position
        }
    }

    private func firstLineEnd(from start: Int) -> Int {
        var index = start
        while index < buffer.count {
            if buffer[index] == 10 { return index + 1 }
            if buffer[index] == 13 { return index + 1 < buffer.count && buffer[index + 1] == 10 ? index + 2 : index + 1 }
            index += 1
        }
        return buffer.count
    }

    /// Finds the fields of the record starting at `start`; ranges go to `fields` (the caller's
    /// local: appending to it is not checked for exclusive access as a property's would be).
    private func scan(from start: Int, into fields: inout Fields) -> Scan {
        fields.spans.removeAll(keepingCapacity: true)
        let fieldEnds = ByteTriple(delimiter, 10, 13)
        let quotedStops = ByteTriple(34, 10, 13)
        let eof = self.eof
        return buffer.withUnsafeBufferPointer { buffer -> Scan in
            let count = buffer.count
            guard start < count, let bytes = buffer.baseAddress else { return eof ? .endOfInput : .needMore }
            var index = start
            var lines = 0
            while true {
                // One field.
                if index < count, bytes[index] == 34 {
                    index += 1
                    let fieldStart = index
                    var hasEscapes = false
                    var closed = false
                    while true {
                        index = quotedStops.first(in: bytes, from: index, to: count)
                        guard index < count else { break }
                        if bytes[index] == 34 {
                            if index + 1 < count {
                                if bytes[index + 1] == 34 {
                                    hasEscapes = true
                                    index += 2
                                    continue
                                }
                                closed = true
                                break
                            } else if eof {
                                closed = true
                                break
                            } else {
                                return .needMore
                            }
                        }
                        // A line break inside the quotes: CRLF counts once, at its LF.
                        if bytes[index] == 10 || !(index + 1 < count && bytes[index + 1] == 10) { lines += 1 }
                        index += 1
                    }
                    if !closed {
                        return eof ? .record(end: count, lines: lines, unterminated: true) : .needMore
                    }
                    var fieldEnd = index
                    index += 1  // the closing quote
                    // Text after the closing quote (`"a"b`): Excel keeps it; so do we, unescaped as is.
                    if index < count, !fieldEnds.contains(bytes[index]) {
                        index = fieldEnds.first(in: bytes, from: index, to: count)
                        if index >= count, !eof { return .needMore }
                        fieldEnd = index
                    }
                    fields.spans.append(Span(start: fieldStart, end: fieldEnd, escaped: hasEscapes))
                } else {
                    let fieldStart = index
                    index = fieldEnds.first(in: bytes, from: index, to: count)
                    if index >= count, !eof { return .needMore }
                    fields.spans.append(Span(start: fieldStart, end: index, escaped: false))
                }
                // After a field: a delimiter, a line break, or the end.
                if index >= count {
                    if eof { summarize(bytes + start, count - start) }
                    return eof ? .record(end: count, lines: lines, unterminated: false) : .needMore
                }
                let byte = bytes[index]
                if byte == fieldEnds.x {
                    index += 1
                    continue
                }
                if byte == 13 {
                    if index + 1 >= count, !eof { return .needMore }
                    index += (index + 1 < count && bytes[index + 1] == 10) ? 2 : 1
                } else {
                    index += 1
                }
                summarize(bytes + start, index - start)
                return .record(end: index, lines: lines + 1, unterminated: false)
            }
        }
    }

    /// Sets `scannedBits` and `scannedMinimum` for a record's bytes, eight at a time. Its quotes,
    /// delimiters and line breaks are counted too: all are ASCII and not NUL (the delimiter is one
    /// of `, ; | tab`), so the answers (any byte over 0x7F; any NUL) are those of its fields alone.
    private func summarize(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        var high: UInt64 = 0
        var zero: UInt64 = 0
        var index = 0
        while index + 8 <= count {
            let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
            high |= word
            zero |= ByteTriple.zeroBytes(word)
            index += 8
        }
        var bits: UInt8 = UInt8(truncatingIfNeeded: (high & 0x8080_8080_8080_8080) == 0 ? 0 : 0x80)
        var minimum: UInt8 = zero == 0 ? 0xFF : 0
        while index < count {
            bits |= bytes[index]
            minimum = min(minimum, bytes[index])
            index += 1
        }
        scannedBits = bits
        scannedMinimum = minimum
    }
}

extension CSVRecordReader {
    /// The field ranges `scan` found in the record it read last: kept from record to record so
    /// that their storage is reused. One array of spans, not one each of starts, ends and flags:
    /// an append checks its array's uniqueness and room, three times a field that way.
    struct Fields {
        var spans: [Span] = []
    }

    /// A field's bytes in the buffer (`start..<end`), and whether it holds doubled quotes.
    struct Span {
        var start: Int
        var end: Int
        var escaped: Bool
    }
}

/// Strings from UTF-8 bytes: nil when the bytes are not valid UTF-8 (never repaired silently).
enum UTF8Text {
    /// - Parameter ascii: the caller already knows the bytes are ASCII (then nothing is checked).
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, ascii knownASCII: Bool = false) -> String? {
        if !knownASCII, !isValid(bytes) { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func string(_ bytes: [UInt8], ascii: Bool = false) -> String? {
        bytes.withUnsafeBufferPointer { string($0, ascii: ascii) }
    }

    /// Whole, valid UTF-8, read in place (copying each field of a non-ASCII record into an array
    /// cost a malloc a field).
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        isValidPrefix(bytes, complete: true)
    }

    /// The one UTF-8 check of the readers: lead bytes C2–F4 only, and continuation bytes where
    /// they belong. With `complete` false, a sequence cut off by the end
    /// of `bytes` is taken as the start of one (the sniffer sees only the file's first block).
    static func isValidPrefix(_ bytes: UnsafeBufferPointer<UInt8>, complete: Bool) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                continue
            }
            let length: Int
            if byte & 0xE0 == 0xC0, byte >= 0xC2 { length = 2 }
            else if byte & 0xF0 == 0xE0 { length = 3 }
            else if byte & 0xF8 == 0xF0, byte <= 0xF4 { length = 4 }
            else { return false }
            if index + length > count { return !complete }
            for offset in 1..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
