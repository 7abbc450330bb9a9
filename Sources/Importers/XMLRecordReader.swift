import CLibXML2
#if canImport(Glibc)
import Glibc
import Foundation
#endif

/// Generic record XML through libxml2's streaming reader (Configuration Migration `data.xml` has a
/// reader of its own, `CMTRecordReader`). Hardened: a document with a DOCTYPE is refused (no DTD, so no entity can be
/// expanded or loaded: XXE and billion laughs are both stopped before they start), no network, no
/// entity substitution.
final class XMLRecordReader: FormatReader {
    let file: String
    private let input: XMLInput
    private let reader: xmlTextReaderPtr
    /// Each element with this name is a record; its attributes and child elements are fields.
    private let recordElement: String
    private let errors = XMLErrors()
    private var recordNumber = 0
    private var finished = false
    private let maxRecordBytes: Int
    private let maxFieldBytes: Int
    /// Bytes of the record's values so far, for the record limit.
    private var recordBytes = 0
    /// Why the record being read will be rejected (it outgrew a limit); its values are not kept.
    private var oversize: String?
    private(set) var notices: [String] = []
    var header: [String]? { nil }
    var consumed: Int64 { input.source.consumed }

    // The record being built.
    private var names: [String] = []
    private var values: [SourceValue] = []
    private var recordLine = 0
    private var recordDepth = -1
    private var path: [String] = []
    /// For each open child element: whether it has child elements (then its text is not a value).
    private var hasChildren: [Bool] = []
    private var text = ""

    init(file: String, source: any ByteSource, recordElement: String, options: ImportOptions = ImportOptions()) throws {
        self.file = file
        self.recordElement = recordElement
        maxRecordBytes = options.maxRecordBytes
        maxFieldBytes = options.maxFieldBytes
        input = XMLInput(source: source)
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue)
        let context = Unmanaged.passUnretained(input).toOpaque()
        guard let reader = xmlReaderForIO(xmlInputRead, xmlInputClose, context, nil, nil, options) else {
            throw ImportError(file: file, message: "libxml2 could not start reading the file")
        }
        self.reader = reader
        input.limit = allowance
        xmlTextReaderSetStructuredErrorHandler(reader, xmlErrorCollector, Unmanaged.passUnretained(errors).toOpaque())
    }

    deinit {
        xmlFreeTextReader(reader)
    }

    private func fail(_ reason: String) -> ImportItem {
        finished = true
        recordNumber += 1
        let line = errors.line ?? Int(xmlTextReaderGetParserLineNumber(reader))
        let column = errors.column ?? Int(xmlTextReaderGetParserColumnNumber(reader))
        let records = recordNumber - 1
        return .rejected(RejectedRecord(
            location: SourceLocation(file: file, record: recordNumber, line: line, column: column),
            reason: "\(reason) (line \(line), column \(column)); reading stopped there, \(records) records were read before it"))
    }

    func next() throws -> ImportItem? {
        guard !finished else { return nil }
        while true {
            let status = xmlTextReaderRead(reader)
            if input.overLimit {
                let start = recordDepth >= 0 ? "record \(recordNumber + 1), from line \(recordLine)," : "the text after record \(recordNumber)"
                recordDepth = -1
                return fail("\(start) runs past the \(maxRecordBytes)-byte record limit; XML cannot be picked up again inside an element, so reading stopped (raise `maxRecordBytes` if the record is genuine)")
            }
            // Outside a record, each node restarts the allowance; a record has one for all of it.
            if recordDepth < 0 { input.limit = input.fed &+ allowance }
            // An error of our own source (a gzip bomb, a read error) stops the file with its message.
            if let error = input.error {
                finished = true
                throw error
            }
            if status == 0 {
                finished = true
                if recordDepth >= 0 { return fail("the document ends inside a record: it is truncated") }
                return nil
            }
            if status < 0 {
                return fail("the XML is malformed: \(errors.message ?? "parse error")")
            }
            let type = xmlTextReaderNodeType(reader)
            switch type {
            case 10:  // DOCTYPE
                return fail("the document has a DOCTYPE, which CRM exports never have; refused so that no entity can be expanded or loaded (XXE)")
            case 1:  // element
                if let item = startElement() { return item }
            case 15:  // end element
                if let item = endElement() { return item }
            case 3, 4, 13, 14:  // text, CDATA, whitespace
                if recordDepth >= 0, oversize == nil, let value = xmlTextReaderConstValue(reader) {
                    // Checked before the text is copied: text split by comments or CDATA into many
                    // nodes would otherwise grow one value without bound.
                    let length = strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))
                    if text.utf8.count + length > maxFieldBytes {
                        tooLarge("field '\(path.joined(separator: "."))' is longer than the \(maxFieldBytes)-byte field limit (raise `maxFieldBytes` if it is genuine)")
                    } else if recordBytes + length > maxRecordBytes {
                        tooLarge(recordLimitReason)
                    } else {
                        recordBytes += length
                        text += String(cString: value)
                    }
                }
            default:
                continue
            }
        }
    }

    private var localName: String {
        xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
    }

    private func attributes() -> [(String, String)] {
        var result: [(String, String)] = []
        guard xmlTextReaderHasAttributes(reader) == 1 else { return result }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            let name = xmlTextReaderConstName(reader).map { String(cString: $0) } ?? ""
            let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            if !name.hasPrefix("xmlns") { result.append((name, value)) }
        }
        xmlTextReaderMoveToElement(reader)
        return result
    }

    /// How far libxml2 may read past the last node outside a record (or a record's start): the
    /// record limit, plus its read-ahead.
    private var allowance: Int64 { Int64(maxRecordBytes) + 64 * 1024 }

    private var recordLimitReason: String {
        "the record is longer than the \(maxRecordBytes)-byte record limit (raise `maxRecordBytes` if it is genuine)"
    }

    /// The record outgrew a limit: what it holds is dropped now, and it is rejected at its end.
    private func tooLarge(_ reason: String) {
        oversize = reason
        names = []
        values = []
        text = ""
    }

    /// Counts a value toward the record limit; false (and the record marked) when over a limit.
    private func fits(_ value: String) -> Bool {
        let length = value.utf8.count
        recordBytes += length
        if length > maxFieldBytes {
            tooLarge("a field is longer than the \(maxFieldBytes)-byte field limit (raise `maxFieldBytes` if it is genuine)")
            return false
        }
        if recordBytes > maxRecordBytes {
            tooLarge(recordLimitReason)
            return false
        }
        return true
    }

    private func beginRecord() {
        oversize = nil
        recordBytes = 0
        names.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        recordLine = Int(xmlGetLineNo(xmlTextReaderCurrentNode(reader)))
        recordDepth = Int(xmlTextReaderDepth(reader))
        path = []
        hasChildren = []
        text = ""
    }

    private func finishRecord() -> ImportItem {
        recordNumber += 1
        recordDepth = -1
        if let oversize {
            names = []
            return .rejected(RejectedRecord(location: SourceLocation(file: file, record: recordNumber, line: recordLine), reason: oversize + "; the record was skipped, reading went on"))
        }
        return .record(SourceRecord(location: SourceLocation(file: file, record: recordNumber, line: recordLine), names: names, values: values))
    }

    private func startElement() -> ImportItem? {
        let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
        let name = localName
        if recordDepth < 0 {
            guard name == recordElement else { return nil }
            beginRecord()
            for (attributeName, value) in attributes() where fits(value) {
                names.append(attributeName)
                values.append(.string(value))
            }
            if isEmpty { return finishRecord() }
        } else {
            if !hasChildren.isEmpty { hasChildren[hasChildren.count - 1] = true }
            path.append(name)
            hasChildren.append(false)
            text = ""
            let prefix = path.joined(separator: ".")
            for (attributeName, value) in attributes() where oversize == nil && fits(value) {
                names.append(prefix + "@" + attributeName)
                values.append(.string(value))
            }
            if isEmpty {
                if oversize == nil {
                    names.append(prefix)
                    values.append(.null)
                }
                path.removeLast()
                hasChildren.removeLast()
            }
        }
        return nil
    }

    private func endElement() -> ImportItem? {
        guard recordDepth >= 0 else { return nil }
        let depth = Int(xmlTextReaderDepth(reader))
        if depth == recordDepth { return finishRecord() }
        if !path.isEmpty {
            if hasChildren.last == false, oversize == nil {
                names.append(path.joined(separator: "."))
                values.append(.string(text))
            }
            text = ""
            path.removeLast()
            hasChildren.removeLast()
        }
        return nil
    }

    /// The name of the root element, to tell a CMT file from generic XML; reads only the start.
    static func rootElement(of path: String) throws -> String? {
        let source = try ByteSources.open(path)
        var head: [UInt8] = []
        while head.count < 64 * 1024, (try source.read(into: &head, count: 64 * 1024)) > 0 {}
        head = utf8(head)
        var index = 0
        while index < head.count {
            if head[index] == UInt8(ascii: "<"), index + 1 < head.count {
                let next = head[index + 1]
                if next != UInt8(ascii: "?"), next != UInt8(ascii: "!") {
                    var end = index + 1
                    while end < head.count, ![32, 9, 10, 13, UInt8(ascii: ">"), UInt8(ascii: "/")].contains(head[end]) { end += 1 }
                    let name = String(decoding: head[(index + 1)..<end], as: UTF8.self)
                    return name.split(separator: ":").last.map(String.init)
                }
            }
            index += 1
        }
        return nil
    }

    /// The start of a file as UTF-8, for finding its root element: libxml2 reads UTF-16 and UTF-32
    /// (by their BOM, or by the zero bytes around the first `<`), so the sniffing must too.
    static func utf8(_ head: [UInt8]) -> [UInt8] {
        func units(width: Int, bigEndian: Bool, from start: Int) -> [UInt32] {
            stride(from: start, to: head.count - width + 1, by: width).map { offset in
                let bytes = Array(head[offset..<(offset + width)])
                return (bigEndian ? bytes : bytes.reversed()).reduce(0) { $0 << 8 | UInt32($1) }
            }
        }
        func text(_ scalars: [UInt32]) -> [UInt8] {
            Array(String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init))).utf8)
        }
        func text16(_ codeUnits: [UInt32]) -> [UInt8] {
            Array(String(decoding: codeUnits.map { UInt16(truncatingIfNeeded: $0) }, as: UTF16.self).utf8)
        }
        let lt = UInt8(ascii: "<")
        switch Array(head.prefix(4)) {
        case [0xFF, 0xFE, 0, 0]: return text(units(width: 4, bigEndian: false, from: 4))
        case [0, 0, 0xFE, 0xFF]: return text(units(width: 4, bigEndian: true, from: 4))
        case [lt, 0, 0, 0]: return text(units(width: 4, bigEndian: false, from: 0))
        case [0, 0, 0, lt]: return text(units(width: 4, bigEndian: true, from: 0))
        default: break
        }
        if head.starts(with: [0xFF, 0xFE]) { return text16(units(width: 2, bigEndian: false, from: 2)) }
        if head.starts(with: [0xFE, 0xFF]) { return text16(units(width: 2, bigEndian: true, from: 2)) }
        if head.starts(with: [lt, 0]) { return text16(units(width: 2, bigEndian: false, from: 0)) }
        if head.starts(with: [0, lt]) { return text16(units(width: 2, bigEndian: true, from: 0)) }
        return head
    }
}

/// What libxml2 reads from: our byte source (plain or gzip).
final class XMLInput {
    let source: any ByteSource
    var pending: [UInt8] = []
    var offset = 0
    /// What our source threw: libxml2 only learns that reading failed.
    var error: (any Error)?
    /// Bytes handed to libxml2 so far, and how far it may read before it must have given us a node
    /// (outside a record) or the record's end. libxml2 holds a node whole until it ends, and its
    /// 2.9 push parser rescans a long text run for every 512 bytes pushed: without this, text split
    /// into nodes by comments grew memory and time without bound.
    var fed: Int64 = 0
    var limit: Int64 = .max
    var overLimit = false

    init(source: any ByteSource) { self.source = source }
}

/// The last error libxml2 reported, with where.
final class XMLErrors {
    var message: String?
    var line: Int?
    var column: Int?
}

private let xmlInputRead: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer, length > 0 else { return -1 }
    let input = Unmanaged<XMLInput>.fromOpaque(context).takeUnretainedValue()
    if input.offset >= input.pending.count {
        input.pending.removeAll(keepingCapacity: true)
        input.offset = 0
        do {
            if try input.source.read(into: &input.pending, count: ByteSources.chunkSize) == 0 { return 0 }
        } catch {
            input.error = error
            return -1
        }
    }
    if input.fed > input.limit {
        input.overLimit = true
        return -1
    }
    let count = min(Int(length), input.pending.count - input.offset)
    input.fed += Int64(count)
    input.pending.withUnsafeBufferPointer { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + input.offset, byteCount: count)
    }
    input.offset += count
    return Int32(count)
}

private let xmlInputClose: xmlInputCloseCallback = { _ in 0 }

private let xmlErrorCollector: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let errors = Unmanaged<XMLErrors>.fromOpaque(context).takeUnretainedValue()
    let message = error.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "parse error"
    if errors.message == nil || error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
        errors.message = message
        errors.line = Int(error.pointee.line)
        errors.column = Int(error.pointee.int2)
    }
}
