import CLibXML2
import Foundation

/// Configuration Migration `data.xml` (`entities/entity[@name]/records/record[@id]/field[@name,@value,…]`)
/// through libxml2's SAX2 push parser.
///
/// Why not the streaming reader (`xmlTextReader`, still used for generic record XML): the reader
/// builds a node for every element and every attribute, and each attribute is then visited through
/// three calls; over SAX2 an element arrives as one callback with its attributes as pointers into
/// libxml2's input buffer (values read in place, copied only into the one `String` the record keeps)
/// and its names interned in libxml2's dictionary. On 100k generated leads the SAX2 loop alone took
/// 2.5 s where `xmllint --stream --noout` took 3.6 s and the reader loop with attributes 4.6 s.
///
/// Hardened as the reader is: a DOCTYPE stops the parser when it is seen, before its internal subset
/// is read (no DTD, so no entity is ever expanded or loaded: XXE and billion laughs both refused); no
/// network; no entity substitution. The input is fed in chunks by us, so the record limit bounds how
/// far libxml2 may read past the last element it reported (it holds a start tag whole until it ends).
///
/// Records come out exactly as from the reader's CMT mode (the names of the record before reused by
/// position, the same values, the same messages), so preview output does not change.
final class CMTRecordReader: FormatReader {
    let file: String
    private let source: any ByteSource
    private let builder: CMTRecordBuilder
    private var parser: xmlParserCtxtPtr?
    private var chunk: [UInt8] = []
    /// Of the items the last chunk produced (`builder.items`), the next to hand out.
    private var itemIndex = 0
    private var finished = false
    /// Bytes handed to libxml2, and how far it may read before it must have reported an element
    /// (outside a record) or the record's end: see `allowance`.
    private var fed: Int64 = 0
    private var limit: Int64 = .max
    private let maxRecordBytes: Int
    var header: [String]? { nil }
    var notices: [String] { builder.notices }
    var consumed: Int64 { source.consumed }
    /// The entities the file holds, in file order (whether the filter takes them or not).
    var entitiesSeen: [String] { builder.entitiesSeen }

    /// Bytes fed to libxml2 at a time: small enough that a chunk's records are few (`builder.items`
    /// stays small), large enough that a call per chunk costs nothing.
    static let feedSize = 64 * 1024

    init(file: String, source: any ByteSource, entity: String?, options: ImportOptions = ImportOptions()) {
        self.file = file
        self.source = source
        maxRecordBytes = options.maxRecordBytes
        builder = CMTRecordBuilder(file: file, filter: entity, maxRecordBytes: options.maxRecordBytes, maxFieldBytes: options.maxFieldBytes, readFields: options.readFields)
        chunk.reserveCapacity(Self.feedSize)
        limit = allowance
    }

    deinit {
        if let parser { xmlFreeParserCtxt(parser) }
    }

    /// How far libxml2 may read past the last element outside a record (or a record's start): the
    /// record limit, plus a chunk of read-ahead.
    private var allowance: Int64 { Int64(maxRecordBytes) + Int64(Self.feedSize) }

    func next() throws -> ImportItem? {
        while true {
            if itemIndex < builder.items.count {
                let item = builder.items[itemIndex]
                itemIndex += 1
                return item
            }
            builder.items.removeAll(keepingCapacity: true)
            itemIndex = 0
            if finished { return nil }
            try feed()
        }
    }

    /// Feeds libxml2 the next chunk; what it reports lands in `builder.items`.
    private func feed() throws {
        if fed > limit {
            let start = builder.recordDepth >= 0 ? "record \(builder.recordNumber + 1), from line \(builder.recordLine)," : "the text after record \(builder.recordNumber)"
            builder.recordDepth = -1
            finish(with: "\(start) runs past the \(maxRecordBytes)-byte record limit; XML cannot be picked up again inside an element, so reading stopped (raise `maxRecordBytes` if the record is genuine)")
            return
        }
        chunk.removeAll(keepingCapacity: true)
        let count: Int
        do {
            // A source may hand out a few bytes first (the gzip sniff's): the parser is created with
            // at least four, enough to tell the encoding.
            while chunk.count < (parser == nil ? 4 : 1), try source.read(into: &chunk, count: Self.feedSize) > 0 {}
            count = chunk.count
        } catch {
            // An error of our own source (a gzip bomb, a read error) stops the file with its message.
            finished = true
            throw error
        }
        let before = builder.boundaries
        fed += Int64(count)
        let parser: xmlParserCtxtPtr
        if let existing = self.parser {
            parser = existing
            chunk.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { text in
                    _ = xmlParseChunk(parser, text.baseAddress, Int32(count), count == 0 ? 1 : 0)
                }
            }
            // libxml2 (2.9) moves the unparsed rest of its buffer to the front when it starts parsing
            // more than 4 KB after the front, which after a push is the rest of the chunk before and
            // all of this one: every byte of the file was moved once more. An empty push now moves
            // only what the chunk left unparsed (part of an element), and the next push starts near
            // the front. What is parsed, and when a callback comes, does not change.
            if count > 0 { _ = xmlParseChunk(parser, nil, 0, 0) }
        } else {
            // The first chunk goes to the parser's creation, so that it detects the encoding (a BOM,
            // UTF-16, an encoding declaration) before anything is parsed.
            let head = count
            let created = chunk.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { text in
                    Self.makeParser(builder, head: text.baseAddress, count: head)
                }
            }
            guard let created else {
                finished = true
                throw ImportError(file: file, message: "libxml2 could not start reading the file")
            }
            parser = created
            self.parser = created
            builder.parser = created
            chunk.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { text in
                    _ = xmlParseChunk(parser, nil, 0, count == 0 ? 1 : 0)
                }
            }
        }
        // Outside a record, each element reported restarts the allowance; a record has one for all of it.
        if builder.boundaries != before { limit = fed &+ allowance }
        if builder.refusedDoctype {
            finish(with: "the document has a DOCTYPE, which CRM exports never have; refused so that no entity can be expanded or loaded (XXE)")
        } else if parser.pointee.wellFormed == 0 {
            finish(with: "the XML is malformed: \(builder.errors.message ?? "parse error")")
        } else if count == 0 {
            finished = true
            if builder.recordDepth >= 0 {
                finish(with: "the document ends inside a record: it is truncated")
            } else {
                builder.noteMissingEntity()
            }
        }
    }

    /// Stops the file with a reject that says why and where.
    private func finish(with reason: String) {
        finished = true
        builder.recordNumber += 1
        let input = parser?.pointee.input?.pointee
        let line = builder.errors.line ?? Int(input?.line ?? 0)
        let column = builder.errors.column ?? Int(input?.col ?? 0)
        let records = builder.recordNumber - 1
        builder.items.append(.rejected(RejectedRecord(
            location: SourceLocation(file: file, record: builder.recordNumber, line: line, column: column),
            reason: "\(reason) (line \(line), column \(column)); reading stopped there, \(records) records were read before it")))
    }

    private static func makeParser(_ builder: CMTRecordBuilder, head: UnsafePointer<CChar>?, count: Int) -> xmlParserCtxtPtr? {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = cmtStartElement
        handler.endElementNs = cmtEndElement
        handler.internalSubset = cmtInternalSubset
        handler.serror = cmtError
        let context = Unmanaged.passUnretained(builder).toOpaque()
        guard let parser = xmlCreatePushParserCtxt(&handler, context, count > 0 ? head : nil, Int32(count), nil) else { return nil }
        xmlCtxtUseOptions(parser, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_COMPACT.rawValue))
        return parser
    }
}

/// What the SAX2 callbacks build: the record being read, and the records and rejects done.
final class CMTRecordBuilder {
    let file: String
    let filter: String?
    let maxRecordBytes: Int
    let maxFieldBytes: Int
    var parser: xmlParserCtxtPtr?
    let errors = XMLErrors()
    var items: [ImportItem] = []
    var notices: [String] = []
    var refusedDoctype = false

    /// What every element touches (depths, the record being read), behind a pointer the builder
    /// owns. Why not stored properties: every access to a class's `var` is checked for exclusivity
    /// at run time (`swift_beginAccess`), and a `<field>` costs two callbacks with several accesses
    /// each; through a pointer the accesses are plain loads and stores. Only the builder's methods
    /// touch it, on the reader's thread, never while another access is open.
    private let state: UnsafeMutablePointer<CMTParseState>

    /// Elements reported outside a record, a record's start and its end: each restarts the allowance
    /// of what libxml2 may read before it reports the next.
    var boundaries: Int { state.pointee.boundaries }
    var recordDepth: Int {
        get { state.pointee.recordDepth }
        set { state.pointee.recordDepth = newValue }
    }

    var recordNumber = 0
    var recordLine = 0
    private var currentEntity: String?
    private var includeEntity = true
    private var entityMatched = false
    private(set) var entitiesSeen: [String] = []

    init(file: String, filter: String?, maxRecordBytes: Int, maxFieldBytes: Int, readFields: Set<String>? = nil) {
        self.file = file
        self.filter = filter
        self.maxRecordBytes = maxRecordBytes
        self.maxFieldBytes = maxFieldBytes
        state = .allocate(capacity: 1)
        state.initialize(to: CMTParseState(record: CMTRecordFields(maxRecordBytes: maxRecordBytes, maxFieldBytes: maxFieldBytes, readFields: readFields)))
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// The line libxml2 is on. Capped as the streaming reader's node lines are (libxml2 keeps an
    /// element's line in 16 bits without `XML_PARSE_BIG_LINES`): the output stays the same as before.
    private var line: Int {
        guard let input = parser?.pointee.input else { return 0 }
        return min(Int(input.pointee.line), 65535)
    }

    /// Attributes as SAX2 gives them: five pointers each (local name, prefix, URI, value start, value end).
    typealias Attributes = UnsafeMutablePointer<UnsafePointer<xmlChar>?>

    func startElement(_ name: UnsafePointer<xmlChar>, attributeCount: Int, attributes: Attributes?) {
        let state = self.state
        let recordDepth = state.pointee.recordDepth
        if recordDepth < 0 { state.pointee.boundaries += 1 }
        let elementDepth = state.pointee.depth
        state.pointee.depth += 1
        if recordDepth >= 0, state.pointee.isFieldElement(name) {
            state.pointee.record.field(attributeCount, attributes)
        } else if Self.isNamed(name, "entity") {
            currentEntity = Self.attribute("name", attributeCount, attributes).map { Self.text($0.start, $0.count) }
            if let currentEntity, !entitiesSeen.contains(currentEntity) { entitiesSeen.append(currentEntity) }
            includeEntity = filter.map { currentEntity?.caseInsensitiveCompare($0) == .orderedSame } ?? true
            if includeEntity { entityMatched = true }
        } else if includeEntity, recordDepth < 0, Self.isNamed(name, "record") {
            recordLine = line
            state.pointee.recordDepth = elementDepth
            let id = Self.attribute("id", attributeCount, attributes).map { SourceValue.string(Self.text($0.start, $0.count)) } ?? .null
            state.pointee.record.begin(entity: currentEntity ?? "", id: id)
        }
    }

    func endElement() {
        let state = self.state
        state.pointee.depth -= 1
        if state.pointee.recordDepth < 0 {
            state.pointee.boundaries += 1
        } else if state.pointee.depth == state.pointee.recordDepth {
            state.pointee.boundaries += 1
            finishRecord()
        }
    }

    private func finishRecord() {
        recordNumber += 1
        state.pointee.recordDepth = -1
        let location = SourceLocation(file: file, record: recordNumber, line: recordLine)
        items.append(state.pointee.record.finish(at: location))
    }

    /// CMT with an entity filter that took nothing: say what the file has instead.
    func noteMissingEntity() {
        guard let filter, !entityMatched else { return }
        let present = entitiesSeen.isEmpty ? "no entity at all" : "the file has: " + entitiesSeen.joined(separator: ", ")
        notices.append("\(file): entity '\(filter)' is not in the file; \(present)")
    }

    static func string(_ start: UnsafePointer<xmlChar>, _ length: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: start, count: max(0, length)), as: UTF8.self)
    }

    /// An attribute value as the streaming reader gave it (XML-decoded) and, with `htmlDecoded`, then
    /// HTML-decoded once (`CMTText`). Without entity substitution, SAX2 hands every `&` of a value
    /// as `&#38;` (so that a tree builder can tell it from an entity); it is turned back here.
    static func text(_ start: UnsafePointer<xmlChar>, _ length: Int, htmlDecoded: Bool = false) -> String {
        let length = max(0, length)
        // Most values hold no `&`: one C-library scan, and the String is made straight from the bytes.
        guard memchr(start, 0x26, length) != nil else { return string(start, length) }
        return decoded(start, length, htmlDecoded: htmlDecoded)
    }

    /// The UTF-8 length of `text(_:_:htmlDecoded:)`, made only where an `&` may shorten it.
    static func textLength(_ start: UnsafePointer<xmlChar>, _ length: Int, htmlDecoded: Bool = false) -> Int {
        let length = max(0, length)
        guard memchr(start, 0x26, length) != nil else { return length }
        return decoded(start, length, htmlDecoded: htmlDecoded).utf8.count
    }

    /// `text(_:_:htmlDecoded:)` for a value known to hold an `&`.
    static func decoded(_ start: UnsafePointer<xmlChar>, _ length: Int, htmlDecoded: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        var index = 0
        while index < length {
            let byte = start[index]
            bytes.append(byte)
            if byte == 0x26, index + 4 < length, start[index + 1] == 0x23, start[index + 2] == 0x33, start[index + 3] == 0x38, start[index + 4] == 0x3B {
                index += 5
            } else {
                index += 1
            }
        }
        return htmlDecoded ? bytes.withUnsafeBufferPointer { CMTText.decode($0) } : String(decoding: bytes, as: UTF8.self)
    }

    static func isNamed(_ name: UnsafePointer<xmlChar>, _ expected: StaticString) -> Bool {
        strcmp(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), UnsafeRawPointer(expected.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// The value of the unprefixed attribute `name`, as pointers into libxml2's buffer.
    static func attribute(_ name: StaticString, _ count: Int, _ attributes: Attributes?) -> (start: UnsafePointer<xmlChar>, count: Int)? {
        guard let attributes else { return nil }
        for index in 0..<count {
            let base = index * 5
            guard attributes[base + 1] == nil, let local = attributes[base], isNamed(local, name),
                let start = attributes[base + 3], let end = attributes[base + 4]
            else { continue }
            return (start, end - start)
        }
        return nil
    }
}

/// The builder's state that every element touches (see `CMTRecordBuilder.state`).
struct CMTParseState {
    var depth = 0
    var recordDepth = -1
    var boundaries = 0
    /// The address of `field` in libxml2's dictionary once seen (see `CMTAttributeNames`).
    var fieldElement: UnsafePointer<xmlChar>?
    var record: CMTRecordFields

    init(record: CMTRecordFields) { self.record = record }

    mutating func isFieldElement(_ name: UnsafePointer<xmlChar>) -> Bool {
        if name == fieldElement { return true }
        guard CMTRecordBuilder.isNamed(name, "field") else { return false }
        fieldElement = name
        return true
    }
}

/// The record the SAX2 callbacks are building: its names and values, and whether it outgrew a limit.
struct CMTRecordFields {
    let maxRecordBytes: Int
    let maxFieldBytes: Int
    /// Names of the record being read, once one differs from the record before's at its position;
    /// while `namesMatch`, it stays empty and the names are `previousNames[..<nameCount]`.
    ///
    /// Names of the record before, by position: the records of one CMT entity list the same fields
    /// in the same order, so most names are reused rather than made again for every record, and a
    /// record whose names are all the record before's gets the same array (the mapper then sees the
    /// header it already resolved without comparing a name). Reused names are not even appended
    /// while they match: a record like the one before costs no names array and no retain a name.
    private var names: [String] = []
    private var namesMatch = true
    private var nameCount = 0
    private var previousNames: [String] = []
    private var nameBytes = ByteRuns()
    private var previousNameBytes = ByteRuns()
    private var values: [SourceValue] = []
    /// Values of the record before, by position (shared with the record handed out: no copy).
    private var previousValues: [SourceValue] = []
    /// What the next record compares its values with, by position (see `text(_:htmlDecoded:)`).
    private var valueKeys: [TextKey] = []
    private var previousTextKeys: [TextKey] = []
    private var recordBytes = 0
    /// Why the record being read will be rejected (it outgrew a limit); its values are not kept.
    private var oversize: String?
    private var attributeNames = CMTAttributeNames()
    /// Values made recently at any position, found again by their bytes (see `StringCache`).
    private let cache = StringCache()
    /// `ImportOptions.readFields` (lower-cased names): a value no one reads is left `.null`, as the
    /// CSV reader leaves its column. Nil: every value is made.
    private let readFields: Set<String>?
    /// By position, whether the value is made; `previousReads` is the record before's, reused for
    /// a name that is the record before's at the same position (no name is lower-cased and looked
    /// up again for every record).
    private var reads: [Bool] = []
    private var previousReads: [Bool] = []

    init(maxRecordBytes: Int, maxFieldBytes: Int, readFields: Set<String>? = nil) {
        self.maxRecordBytes = maxRecordBytes
        self.maxFieldBytes = maxFieldBytes
        self.readFields = readFields
    }

    /// `<field name="…" value="…" [lookupentity="…" lookupentityname="…"]/>`, in one pass over its
    /// attributes, reading their values where libxml2 holds them.
    mutating func field(_ count: Int, _ attributes: CMTRecordBuilder.Attributes?) {
        guard oversize == nil, let attributes else { return }
        var fieldName: Bytes?
        var value: Bytes?
        var lookupEntity: Bytes?
        var lookupEntityName: Bytes?
        for index in 0..<count {
            let base = index * 5
            guard let attribute = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4] else { continue }
            let length = end - start
            switch attributeNames.which(attribute) {
            case .name: fieldName = Bytes(start: start, count: length, nameIndex: appendName(start, length))
            case .value: value = Bytes(start: start, count: length)
            case .lookupEntity: lookupEntity = Bytes(start: start, count: length)
            case .lookupEntityName: lookupEntityName = Bytes(start: start, count: length)
            case nil: break
            }
        }
        guard let fieldName else { return }
        // Values are made in the order they are appended: each is compared with the value at its
        // position in the record before (`text(_:htmlDecoded:)`).
        if let value {
            if isRead(at: fieldName.nameIndex) {
                let (text, key) = self.text(value, htmlDecoded: true)
                guard fits(text) else { return }
                append(.string(text), key: key)
            } else {
                // Not made, but counted toward the limits as if it were (decoded where it must be,
                // so a record is refused or not whatever the mapping reads).
                guard fits(length: CMTRecordBuilder.textLength(value.start, value.count, htmlDecoded: true)) else { return }
                append(.null, key: .opaque)
            }
        } else {
            append(.null, key: .opaque)
        }
        if let lookupEntity {
            appendName(fieldName, suffix: "@lookupentity")
            if isRead(at: nameCount - 1) {
                let (text, key) = self.text(lookupEntity, htmlDecoded: false)
                append(.string(text), key: key)
            } else {
                append(.null, key: .opaque)
            }
        }
        if let lookupEntityName {
            appendName(fieldName, suffix: "@lookupentityname")
            if isRead(at: nameCount - 1) {
                let (text, key) = self.text(lookupEntityName, htmlDecoded: true)
                append(.string(text), key: key)
            } else {
                append(.null, key: .opaque)
            }
        }
    }

    /// Whether the value at `index` (its name just taken) is made; noted for the next record.
    private mutating func isRead(at index: Int) -> Bool {
        guard let readFields else { return true }
        let read: Bool
        if index < previousReads.count, namesMatch || (index < previousNames.count && names[index] == previousNames[index]) {
            read = previousReads[index]
        } else {
            read = readFields.contains(name(at: index).lowercased())
        }
        // Positions are taken in order; `@entity` and `@id` (0 and 1) are always made.
        while reads.count < index { reads.append(true) }
        reads.append(read)
        return read
    }

    /// An attribute value where libxml2 holds it; for a field's name, its position in the record.
    struct Bytes {
        var start: UnsafePointer<xmlChar>
        var count: Int
        var nameIndex = 0
    }

    /// The longest text Swift keeps inside the `String` value itself (no allocation) on 64-bit.
    private static let smallStringLimit = 15

    /// The value for the next position (`values.count`): the record before's `String` at that
    /// position when the bytes are the same, else a new one (`CMTRecordBuilder.text`); with the
    /// bytes to keep for the next record's comparison, if they are its text.
    ///
    /// The records of an entity repeat many values at the same position (a lookup's entity, the
    /// owner, the currency and its name): reusing the string costs a retain where making it cost an
    /// allocation here and a free on the mapping thread. Only values too long to be small strings
    /// are compared (a small string costs no allocation), and only values without an `&` (those
    /// are decoded, so their bytes are not the text).
    ///
    /// A value is first compared by its `TextKey` (its length and its first and last eight bytes,
    /// two loads): most values that differ differ there, and only a value whose key is the same is
    /// compared with the previous `String` whole. A value the record before did not have at its
    /// position may still be one made recently (a city, a subject, a date): `StringCache`.
    private func text(_ bytes: Bytes, htmlDecoded: Bool) -> (String, TextKey) {
        let length = max(0, bytes.count)
        if memchr(bytes.start, 0x26, length) != nil {
            return (CMTRecordBuilder.decoded(bytes.start, length, htmlDecoded: htmlDecoded), .opaque)
        }
        guard length > Self.smallStringLimit else { return (CMTRecordBuilder.string(bytes.start, length), .opaque) }
        let key = TextKey(bytes.start, length)
        let position = values.count
        if position < previousTextKeys.count, previousTextKeys[position] == key, case .string(let previous) = previousValues[position],
            TextKey.equal(previous, bytes.start, length)
        {
            return (previous, key)
        }
        if let cached = cache.string(bytes.start, length, key: key) { return (cached, key) }
        let text = CMTRecordBuilder.string(bytes.start, length)
        cache.insert(text, key: key)
        return (text, key)
    }

    /// Appends a value, and its key at the same position. The value is taken, not borrowed: borrowed,
    /// it was copied into `values` (a retain), and the caller's released, for every field.
    private mutating func append(_ value: consuming SourceValue, key: TextKey) {
        values.append(value)
        valueKeys.append(key)
    }

    mutating func begin(entity: String, id: SourceValue) {
        // The record before, if it was handed out, becomes the one to compare with. A rejected one
        // kept nothing: the one before it stays.
        // (While its names were all the one before's, their bytes were not copied: they are still
        // `previousNameBytes`.)
        if oversize == nil {
            if !namesMatch {
                previousNames = names
                swap(&previousNameBytes, &nameBytes)
            }
            previousValues = values
            swap(&previousTextKeys, &valueKeys)
            swap(&previousReads, &reads)
        }
        reads.removeAll(keepingCapacity: true)
        oversize = nil
        recordBytes = 0
        names = []
        namesMatch = true
        nameCount = 0
        nameBytes.removeAll()
        values = []
        values.reserveCapacity(previousValues.count)
        valueKeys.removeAll(keepingCapacity: true)
        appendName(constant: "@entity")
        append(.string(entity), key: .opaque)
        appendName(constant: "@id")
        append(id, key: .opaque)
    }

    mutating func finish(at location: SourceLocation) -> ImportItem {
        if let oversize {
            return .rejected(RejectedRecord(location: location, reason: oversize + "; the record was skipped, reading went on"))
        }
        if namesMatch, nameCount != previousNames.count { diverge(at: nameCount) }
        return .record(SourceRecord(location: location, names: namesMatch ? previousNames : names, values: values))
    }

    private var recordLimitReason: String {
        "the record is longer than the \(maxRecordBytes)-byte record limit (raise `maxRecordBytes` if it is genuine)"
    }

    /// The record outgrew a limit: what it holds is dropped now, and it is rejected at its end.
    private mutating func tooLarge(_ reason: String) {
        oversize = reason
        names = []
        values = []
        nameBytes.removeAll()
        valueKeys.removeAll(keepingCapacity: true)
    }

    /// Counts a value toward the record limit; false (and the record marked) when over a limit.
    private mutating func fits(_ value: String) -> Bool {
        fits(length: value.utf8.count)
    }

    private mutating func fits(length: Int) -> Bool {
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

    // MARK: names

    /// The first `index` names were the record before's; the one at `index` is not: the names are
    /// written out from here on.
    private mutating func diverge(at index: Int) {
        namesMatch = false
        names = Array(previousNames[..<index])
        nameBytes.removeAll()
        nameBytes.append(contentsOf: previousNameBytes, upTo: index)
    }

    /// The name at `index` of the record being read.
    private func name(at index: Int) -> String {
        namesMatch ? previousNames[index] : names[index]
    }

    /// Takes the name for the next position: the record before's when it reads the same (`same`),
    /// else `make()`.
    private mutating func takeName(same: Bool, _ make: () -> String) {
        let index = nameCount
        nameCount += 1
        if namesMatch {
            if same { return }
            diverge(at: index)
        }
        names.append(same ? previousNames[index] : make())
    }

    /// Appends the name at the next position from its bytes where libxml2 holds them; its position.
    private mutating func appendName(_ start: UnsafePointer<xmlChar>, _ length: Int) -> Int {
        let index = nameCount
        let length = max(0, length)
        if memchr(start, 0x26, length) != nil {
            // An `&` in a name: compared once decoded.
            let name = CMTRecordBuilder.decoded(start, length, htmlDecoded: false)
            takeName(same: index < previousNames.count && previousNames[index] == name) { name }
            if !namesMatch { nameBytes.appendOpaque() }
        } else {
            takeName(same: previousNameBytes.equals(index, start, length)) { CMTRecordBuilder.string(start, length) }
            if !namesMatch { nameBytes.append(start, length) }
        }
        return index
    }

    private mutating func appendName(constant: StaticString) {
        _ = appendName(constant.utf8Start, constant.utf8CodeUnitCount)
    }

    /// Appends the field's name + `suffix` (a lookup's `transactioncurrencyid@lookupentity`): the
    /// record before's when it reads the same, compared without making the joined name.
    private mutating func appendName(_ field: Bytes, suffix: StaticString) {
        let index = nameCount
        let length = max(0, field.count)
        let suffixText = { String(decoding: UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount), as: UTF8.self) }
        if memchr(field.start, 0x26, length) != nil {
            let name = self.name(at: field.nameIndex)
            takeName(same: index < previousNames.count && Self.isJoined(previousNames[index], name, suffix)) { name + suffixText() }
            if !namesMatch { nameBytes.appendOpaque() }
        } else {
            let same = previousNameBytes.equals(index, field.start, length, suffix: suffix)
            let name = same ? "" : self.name(at: field.nameIndex)
            takeName(same: same) { name + suffixText() }
            if !namesMatch { nameBytes.append(field.start, length, suffix: suffix) }
        }
    }

    /// Whether `joined` is `name` followed by `suffix`, byte for byte (false for a string that
    /// is not contiguous UTF-8, which then only costs a new name).
    static func isJoined(_ joined: String, _ name: String, _ suffix: StaticString) -> Bool {
        let nameCount = name.utf8.count
        let suffixCount = suffix.utf8CodeUnitCount
        guard joined.utf8.count == nameCount + suffixCount else { return false }
        let same = joined.utf8.withContiguousStorageIfAvailable { whole -> Bool in
            guard let base = whole.baseAddress, memcmp(base + nameCount, suffix.utf8Start, suffixCount) == 0 else { return false }
            return name.utf8.withContiguousStorageIfAvailable { first in
                first.baseAddress.map { memcmp(base, $0, nameCount) == 0 } ?? (nameCount == 0)
            } ?? false
        }
        return same ?? false
    }
}

/// The builder behind a callback's context, borrowed for the call: the parser's context holds it
/// unretained (the reader owns it for the parser's whole life), and a retain and release around
/// each of two callbacks a field were 1 % of a CMT read.
@inline(__always)
private func withBuilder(_ context: UnsafeMutableRawPointer?, _ body: (CMTRecordBuilder) -> Void) {
    guard let context else { return }
    Unmanaged<CMTRecordBuilder>.fromOpaque(context)._withUnsafeGuaranteedRef(body)
}

private let cmtStartElement: startElementNsSAX2Func = { context, localName, _, _, _, _, attributeCount, _, attributes in
    guard let localName else { return }
    withBuilder(context) { $0.startElement(localName, attributeCount: Int(attributeCount), attributes: attributes) }
}

private let cmtEndElement: endElementNsSAX2Func = { context, _, _, _ in
    withBuilder(context) { $0.endElement() }
}

/// A DOCTYPE: refused before its internal subset is read.
private let cmtInternalSubset: internalSubsetSAXFunc = { context, _, _, _ in
    withBuilder(context) { builder in
        builder.refusedDoctype = true
        if let parser = builder.parser { xmlStopParser(parser) }
    }
}

private let cmtError: xmlStructuredErrorFunc = { context, error in
    guard let error else { return }
    withBuilder(context) { builder in
        let errors = builder.errors
        let message = error.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "parse error"
        if errors.message == nil || error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
            errors.message = message
            errors.line = Int(error.pointee.line)
            errors.column = Int(error.pointee.int2)
        }
    }
}
