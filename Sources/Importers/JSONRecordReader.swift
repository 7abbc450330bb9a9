#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON exports, streamed: a Web API (OData) page `{"@odata.context":…, "value":[…]}`, a top-level
/// array of records, objects one after another, or NDJSON. Only one record's bytes are held at a
/// time (plus the read-ahead), so a 1 GB array reads in constant memory.
final class JSONRecordReader: FormatReader {
    let file: String
    private let source: any ByteSource
    private let lineDelimited: Bool
    private let maxRecordBytes: Int
    private let maxFieldBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    /// Line number at `position`.
    private var line = 1
    private var eof = false
    private var finished = false
    private var recordNumber = 0
    private var state = State.top
    /// The names of the last record, reused for the next where they match (see `JSONFlattener`).
    private var previousNames = PreviousNames()
    /// Values made recently, handed out again for the same bytes (see `StringCache`).
    private let stringCache = StringCache()
    private(set) var notices: [String] = []
    var header: [String]? { nil }
    var consumed: Int64 { source.consumed }

    enum State: Equatable {
        case top
        case array(inPage: Bool)
        case pageRest
    }

    init(file: String, source: any ByteSource, lineDelimited: Bool, options: ImportOptions = ImportOptions()) {
        self.file = file
        self.source = source
        self.lineDelimited = lineDelimited
        maxRecordBytes = options.maxRecordBytes
        maxFieldBytes = options.maxFieldBytes
        buffer.reserveCapacity(ByteSources.chunkSize * 2)
    }

    func next() throws -> ImportItem? {
        guard !finished else { return nil }
        if position == 0, line == 1, buffer.isEmpty {
            try refill()
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        }
        return lineDelimited ? try nextLine() : try nextInDocument()
    }

    // MARK: buffer

    /// Reads more, keeping bytes from `keep` on (everything before it is dropped).
    private func refill(keeping keep: Int? = nil) throws {
        let from = keep ?? position
        if from > 0 {
            buffer.removeFirst(from)
            position -= from
        }
        // A record longer than a chunk doubles the read, so it is rescanned O(log n) times, not O(n);
        // never by more than the record limit, so the buffer stays under about twice the limit.
        if try source.read(into: &buffer, count: max(ByteSources.chunkSize, min(buffer.count, maxRecordBytes))) == 0 { eof = true }
    }

    private func advance(to end: Int) {
        var index = position
        var newlines = 0
        while index < end {
            if buffer[index] == 10 { newlines += 1 }
            index += 1
        }
        line += newlines
        position = end
    }

    private func skipSpace() throws -> Bool {
        while true {
            while position < buffer.count {
                let byte = buffer[position]
                if byte == 32 || byte == 9 || byte == 13 { position += 1 } else if byte == 10 {
                    line += 1
                    position += 1
                } else { return true }
            }
            if eof { return false }
            try refill()
        }
    }

    /// Bytes that can begin a JSON value: `{ [ "`, a digit or minus, and `t f n` of the literals.
    static func startsValue(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            true
        default:
            false
        }
    }

    /// A byte as a message can show it: ASCII as itself, anything else as hex.
    static func printable(_ byte: UInt8) -> String {
        (32..<127).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16, uppercase: true)
    }

    private func fail(_ reason: String) -> ImportItem {
        finished = true
        recordNumber += 1
        return .rejected(RejectedRecord(location: SourceLocation(file: file, record: recordNumber, line: line, column: column(at: position)), reason: reason))
    }

    private func column(at index: Int) -> Int {
        var start = min(index, buffer.count)
        while start > 0, buffer[start - 1] != 10 { start -= 1 }
        return min(index, buffer.count) - start + 1
    }

    // MARK: NDJSON

    /// The index of the first LF at or after `start`, or `bytes.count`.
    static func lineBreak(in bytes: [UInt8], from start: Int) -> Int {
        guard start < bytes.count else { return bytes.count }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, let found = memchr(base + start, 10, buffer.count - start) else { return buffer.count }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    private func nextLine() throws -> ImportItem? {
        while true {
            var end = position
            while true {
                end = Self.lineBreak(in: buffer, from: end)
                if end < buffer.count || eof { break }
                if end - position > maxRecordBytes { break }
                let offset = end - position
                try refill()
                end = position + offset
            }
            if position >= buffer.count, eof { return nil }
            let startLine = line
            let lineEnd = end
            if lineEnd - position > maxRecordBytes {
                recordNumber += 1
                try skipLine()
                return tooLarge(startLine: startLine)
            }
            let isBlank = buffer[position..<lineEnd].allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 }
            if isBlank {
                advance(to: min(lineEnd + 1, buffer.count))
                continue
            }
            recordNumber += 1
            let item = flatten(from: position, to: lineEnd, startLine: startLine, trailingAllowed: true)
            // The line holds no line break before `lineEnd`: no need to count them again.
            if lineEnd < buffer.count {
                line += 1
                position = lineEnd + 1
            } else {
                position = lineEnd
            }
            return item
        }
    }

    // MARK: documents

    private func nextInDocument() throws -> ImportItem? {
        while true {
            switch state {
            case .top:
                guard try skipSpace() else { return nil }
                switch buffer[position] {
                case UInt8(ascii: "["):
                    position += 1
                    state = .array(inPage: false)
                case UInt8(ascii: "{"):
                    if let item = try probeObject() { return item }
                default:
                    return fail("expected a JSON array or object here: the file is not a JSON export (for one object a line, use the .ndjson format)")
                }
            case .array(let inPage):
                guard try skipSpace() else { return fail("the file ends inside the record array: it is truncated (\(recordNumber) records read before the end)") }
                let byte = buffer[position]
                if byte == UInt8(ascii: "]") {
                    position += 1
                    state = inPage ? .pageRest : .top
                    continue
                }
                if byte == UInt8(ascii: ","), recordNumber > 0 {
                    position += 1
                    guard try skipSpace() else { return fail("the file ends inside the record array: it is truncated") }
                }
                // Only a value may start here. Anything else (`[}]`, a `}` too many after a record)
                // would make an empty extent, and the reader would stand still on it for ever.
                guard Self.startsValue(buffer[position]) else {
                    return fail("unexpected '\(Self.printable(buffer[position]))' where record \(recordNumber + 1) should begin: the record array is malformed, reading stopped there")
                }
                let end: Int
                switch try extent(from: position) {
                case .end(let found): end = found
                case .truncated: return fail("the file ends inside record \(recordNumber + 1): it is truncated")
                case .tooLarge: return try skipTooLarge()
                }
                guard end > position else {
                    return fail("unexpected '\(Self.printable(buffer[position]))' where record \(recordNumber + 1) should begin: the record array is malformed, reading stopped there")
                }
                recordNumber += 1
                let startLine = line
                let item: ImportItem
                if buffer[position] == UInt8(ascii: "{") {
                    item = flatten(from: position, to: end, startLine: startLine, trailingAllowed: false)
                } else {
                    item = .rejected(RejectedRecord(location: SourceLocation(file: file, record: recordNumber, line: startLine), reason: "array element \(recordNumber) is not an object"))
                }
                advance(to: end)
                return item
            case .pageRest:
                // The page's other keys after "value" (e.g. @odata.nextLink): skipped.
                guard try skipSpace() else { return fail("the file ends inside the page object: it is truncated") }
                let byte = buffer[position]
                if byte == UInt8(ascii: "}") {
                    position += 1
                    state = .top
                    continue
                }
                if byte == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard byte == UInt8(ascii: "\"") else { return fail("expected a field name in quotes in the page object, found '\(Self.printable(byte))'") }
                switch try extent(from: position) {
                case .end(let keyEnd): advance(to: keyEnd)
                case .truncated: return fail("the file ends inside the page object: it is truncated")
                case .tooLarge: return fail("a field name in the page object is longer than the \(maxRecordBytes)-byte record limit: the file is not a Web API page")
                }
                guard try skipSpace(), buffer[position] == UInt8(ascii: ":") else { return fail("expected ':' in the page object") }
                position += 1
                guard try skipSpace() else { return fail("the file ends inside the page object: it is truncated") }
                guard Self.startsValue(buffer[position]) else { return fail("expected a value in the page object, found '\(Self.printable(buffer[position]))'") }
                switch try extent(from: position) {
                case .end(let valueEnd): advance(to: valueEnd)
                case .truncated: return fail("the file ends inside the page object: it is truncated")
                case .tooLarge:
                    // A page key we do not read (e.g. a huge @odata.nextLink): passed over unheld.
                    guard try skipValue() else { return fail("the file ends inside the page object: it is truncated") }
                }
            }
        }
    }

    /// At a top-level `{`: an OData page (it has a `value` array: records stream from it) or one
    /// record. Nothing is consumed until that is known, except when the page's records begin.
    private func probeObject() throws -> ImportItem? {
        do {
            return try probeObjectWithin()
        } catch is Oversized {
            return try skipTooLarge()
        }
    }

    /// Thrown by the probe when the object at `position` outgrows the record limit.
    private struct Oversized: Error {}

    private func probeObjectWithin() throws -> ImportItem? {
        let start = position
        var index = start + 1
        while true {
            // Make sure the probe has bytes; keep the object from its start.
            func ensure(_ needed: Int) throws -> Bool {
                while index + needed > buffer.count {
                    if eof { return false }
                    if buffer.count - position > maxRecordBytes { throw Oversized() }
                    let offset = index - position
                    try refill(keeping: position)
                    index = position + offset
                }
                return true
            }
            while try ensure(1), [32, 9, 10, 13, UInt8(ascii: ",")].contains(buffer[index]) { index += 1 }
            guard try ensure(1) else { return fail("the file ends inside the first object: it is truncated") }
            if buffer[index] == UInt8(ascii: "}") {
                // No `value` array: the object is one record.
                if index + 1 - position > maxRecordBytes { throw Oversized() }
                recordNumber += 1
                let startLine = line
                let item = flatten(from: position, to: index + 1, startLine: startLine, trailingAllowed: false)
                advance(to: index + 1)
                return item
            }
            guard buffer[index] == UInt8(ascii: "\"") else { return fail("expected a field name in quotes") }
            var keyEnd: Int?
            while keyEnd == nil {
                let offset = index - position
                keyEnd = extentInBuffer(from: index)
                if keyEnd == nil {
                    if eof { return fail("the file ends inside the first object: it is truncated") }
                    if buffer.count - position > maxRecordBytes { throw Oversized() }
                    try refill(keeping: position)
                    index = position + offset
                }
            }
            let key = String(decoding: buffer[(index + 1)..<(keyEnd! - 1)], as: UTF8.self)
            index = keyEnd!
            while try ensure(1), [32, 9, 10, 13].contains(buffer[index]) { index += 1 }
            guard try ensure(1), buffer[index] == UInt8(ascii: ":") else { return fail("expected ':' after \"\(key)\"") }
            index += 1
            while try ensure(1), [32, 9, 10, 13].contains(buffer[index]) { index += 1 }
            guard try ensure(1) else { return fail("the file ends inside the first object: it is truncated") }
            if key == "value", buffer[index] == UInt8(ascii: "[") {
                advance(to: index + 1)
                state = .array(inPage: true)
                return nil
            }
            var valueEnd: Int?
            while valueEnd == nil {
                let offset = index - position
                valueEnd = extentInBuffer(from: index)
                if valueEnd == nil {
                    if eof { return fail("the file ends inside the first object: it is truncated") }
                    if buffer.count - position > maxRecordBytes { throw Oversized() }
                    try refill(keeping: position)
                    index = position + offset
                }
            }
            index = valueEnd!
        }
    }

    enum Extent {
        case end(Int)
        /// The file ends first.
        case truncated
        /// The value is longer than the record limit (its end may not be buffered).
        case tooLarge
    }

    /// The end (exclusive) of the JSON value at `start`, reading more as needed, up to the record
    /// limit.
    private func extent(from start: Int) throws -> Extent {
        var begin = start
        while true {
            if let end = extentInBuffer(from: begin) { return end - begin > maxRecordBytes ? .tooLarge : .end(end) }
            if eof { return .truncated }
            if buffer.count - begin > maxRecordBytes { return .tooLarge }
            let offset = begin - position
            try refill()
            begin = position + offset
        }
    }

    /// The record at `position` is over the limit: skipped without holding it, and rejected.
    private func skipTooLarge() throws -> ImportItem {
        let startLine = line
        let startColumn = column(at: position)
        guard try skipValue() else { return fail("the file ends inside record \(recordNumber + 1), which is longer than the \(maxRecordBytes)-byte record limit: it is truncated") }
        recordNumber += 1
        return tooLarge(startLine: startLine, column: startColumn)
    }

    private func tooLarge(startLine: Int, column: Int? = nil) -> ImportItem {
        .rejected(RejectedRecord(
            location: SourceLocation(file: file, record: recordNumber, line: startLine, column: column),
            reason: "record \(recordNumber) is longer than the \(maxRecordBytes)-byte record limit: skipped unread, reading went on (raise `maxRecordBytes` if the record is genuine)"))
    }

    /// Passes over the JSON value at `position` without holding it: reads on, dropping what was
    /// scanned, until the value ends (a record over the limit). False when the file ends first.
    private func skipValue() throws -> Bool {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        let first = buffer[position]
        let container = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        var depth = 0
        var inString = false
        var escaped = false
        var index = position
        if first == quote {
            inString = true
            index += 1
        }
        while true {
            while index < buffer.count {
                let byte = buffer[index]
                if byte == 10 { line += 1 }
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == backslash {
                        escaped = true
                    } else if byte == quote {
                        inString = false
                        if !container {
                            position = index + 1
                            return true
                        }
                    }
                } else if container {
                    if byte == quote {
                        inString = true
                    } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                        depth += 1
                    } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 {
                            position = index + 1
                            return true
                        }
                    }
                } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == 32 || byte == 9 || byte == 10 || byte == 13 {
                    // A bare scalar ends before its delimiter, which is not consumed.
                    if byte == 10 { line -= 1 }
                    position = index
                    return true
                }
                index += 1
            }
            position = index
            if eof { return false }
            try refill()
            index = position
        }
    }

    /// Passes over the rest of the line at `position` and its line break, without holding it.
    private func skipLine() throws {
        var index = position
        while true {
            while index < buffer.count {
                if buffer[index] == 10 {
                    position = index + 1
                    line += 1
                    return
                }
                index += 1
            }
            position = index
            if eof { return }
            try refill()
            index = position
        }
    }

    /// String-aware bracket matching over what is buffered; nil when the value runs past it.
    private func extentInBuffer(from start: Int) -> Int? {
        buffer.withUnsafeBufferPointer { bytes -> Int? in
            var index = start
            guard index < bytes.count else { return nil }
            let first = bytes[index]
            if first == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
                    if bytes[index] == UInt8(ascii: "\"") { return index + 1 }
                    index += 1
                }
                return nil
            }
            if first != UInt8(ascii: "{"), first != UInt8(ascii: "[") {
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: ","), index > start { return index }
                    if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == 32 || byte == 10 || byte == 13 || byte == 9 { return index }
                    index += 1
                }
                return eof ? index : nil
            }
            var depth = 0
            var inString = false
            while index < bytes.count {
                let byte = bytes[index]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if byte == UInt8(ascii: "\"") { inString = false }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return index + 1 }
                }
                index += 1
            }
            return nil
        }
    }

    private func flatten(from start: Int, to end: Int, startLine: Int, trailingAllowed: Bool) -> ImportItem {
        buffer.withUnsafeBufferPointer { all -> ImportItem in
            let bytes = UnsafeBufferPointer(rebasing: all[..<end])
            var flattener = JSONFlattener(bytes: bytes, start: start, previous: previousNames, cache: stringCache)
            do {
                var after = try flattener.flattenObject()
                while after < end, [32, 9, 13, 10].contains(bytes[after]) { after += 1 }
                if after < end {
                    throw JSONFlattener.SyntaxError(offset: after, message: "unexpected text after the record")
                }
                // Only a record bigger than the field limit can hold a field over it.
                if end - start > maxFieldBytes, let index = flattener.values.firstIndex(where: { ($0.text?.utf8.count ?? 0) > maxFieldBytes }) {
                    return .rejected(RejectedRecord(
                        location: SourceLocation(file: file, record: recordNumber, line: startLine),
                        reason: "field '\(flattener.names[index])' is longer than the \(maxFieldBytes)-byte field limit (raise `maxFieldBytes` if it is genuine)"))
                }
                // The bytes of the names are taken again only when they changed.
                if flattener.names.withUnsafeBufferPointer({ $0.baseAddress }) != previousNames.names.withUnsafeBufferPointer({ $0.baseAddress }) {
                    previousNames = PreviousNames(flattener.names)
                }
                return .record(SourceRecord(location: SourceLocation(file: file, record: recordNumber, line: startLine), names: flattener.names, values: flattener.values))
            } catch let error as JSONFlattener.SyntaxError {
                var errorLine = startLine
                var lineStart = start
                for index in start..<min(error.offset, end) where bytes[index] == 10 {
                    errorLine += 1
                    lineStart = index + 1
                }
                let column = error.offset - lineStart + 1
                return .rejected(RejectedRecord(location: SourceLocation(file: file, record: recordNumber, line: errorLine, column: column), reason: "not valid JSON at line \(errorLine), column \(column): \(error.message)"))
            } catch {
                return .rejected(RejectedRecord(location: SourceLocation(file: file, record: recordNumber, line: startLine), reason: "\(error)"))
            }
        }
    }
}
