/// A CSV record's fields as the bytes the reader found, decoded into values only when asked
/// (`SourceRecord.materialize()`).
///
/// Why: a nightly run asks the ledger about each record before mapping it (`Mapper.probe`), and a
/// record it settles needs only its id and a digest of its bytes. Decoding every field into a
/// `String` on the reader's thread, then freeing them all on a mapping thread, was a third of such
/// a run's CPU time. Deferred, a record costs one copy of its bytes and of its field spans; the
/// strings are made, where needed, on the mapping thread that also frees them.
///
/// The reader has done every check that can reject the record (field count, limits, NUL, UTF-8),
/// so decoding cannot fail: a record with a field that is not valid UTF-8 never gets here.
public struct DeferredFields: Sendable {
    /// The bytes of the buffer the record was read from, from the record's first byte to its end
    /// (line break included). UTF-8 (after transcoding), valid in every field.
    private let bytes: [UInt8]
    /// Each field's bytes, at these offsets into the reader's buffer: minus `origin` into `bytes`.
    private let spans: [CSVRecordReader.Span]
    private let origin: Int
    /// By column: whether its value is made (`ImportOptions.readFields`); empty makes every column.
    private let materialized: [Bool]
    /// The reader's field separator: with the bytes, it decides what the values are.
    public let delimiter: UInt8

    init(bytes: [UInt8], spans: [CSVRecordReader.Span], origin: Int, materialized: [Bool], delimiter: UInt8) {
        self.bytes = bytes
        self.spans = spans
        self.origin = origin
        self.materialized = materialized
        self.delimiter = delimiter
    }

    /// The number of fields.
    public var count: Int { spans.count }

    /// `body` with the record's bytes, in place (what `Mapper.probe` digests).
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer(body)
    }

    /// The value of field `index` (`.null` for a column no one reads, as the reader would have made it).
    public func value(at index: Int) -> SourceValue {
        guard index >= 0, index < spans.count else { return .null }
        var scratch: [UInt8] = []
        return bytes.withUnsafeBufferPointer { value(index, in: $0, scratch: &scratch) }
    }

    /// Field `index` as text if it is valid UTF-8, else nil (the reader's header, which it reads
    /// whatever its fields hold).
    func checkedText(at index: Int) -> String? {
        guard index >= 0, index < spans.count else { return nil }
        let span = spans[index]
        return bytes.withUnsafeBufferPointer { buffer in
            UTF8Text.isValid(UnsafeBufferPointer(rebasing: buffer[(span.start - origin)..<(span.end - origin)])) ? value(at: index).text : nil
        }
    }

    /// Every field's value, in column order.
    public func values() -> [SourceValue] {
        var scratch: [UInt8] = []
        return bytes.withUnsafeBufferPointer { buffer in
            Self.values(spans, in: buffer, origin: origin, materialized: materialized, scratch: &scratch, cache: nil)
        }
    }

    /// The values of the fields at `spans` (offsets minus `origin` into `buffer`): the one decoding
    /// of CSV fields, here from a record's own bytes and in `CSVRecordReader` from its buffer (with
    /// its cache of recent texts, on its thread: the cache is not thread-safe).
    static func values(
        _ spans: [CSVRecordReader.Span], in buffer: UnsafeBufferPointer<UInt8>, origin: Int, materialized: [Bool], scratch: inout [UInt8], cache: StringCache?
    ) -> [SourceValue] {
        var values: [SourceValue] = []
        values.reserveCapacity(spans.count)
        for index in spans.indices {
            values.append(value(spans[index], in: buffer, origin: origin, made: index >= materialized.count || materialized[index], scratch: &scratch, cache: cache))
        }
        return values
    }

    private func value(_ index: Int, in buffer: UnsafeBufferPointer<UInt8>, scratch: inout [UInt8]) -> SourceValue {
        Self.value(spans[index], in: buffer, origin: origin, made: index >= materialized.count || materialized[index], scratch: &scratch, cache: nil)
    }

    private static func value(_ span: CSVRecordReader.Span, in buffer: UnsafeBufferPointer<UInt8>, origin: Int, made: Bool, scratch: inout [UInt8], cache: StringCache?) -> SourceValue {
        guard made else { return .null }
        let field = UnsafeBufferPointer(rebasing: buffer[(span.start - origin)..<(span.end - origin)])
        // Valid UTF-8, checked by the reader: decoded without a second check (`ascii: true`).
        guard span.escaped else { return .string(text(field, cache: cache)) }
        CSVRecordReader.unescape(field, into: &scratch)
        return .string(scratch.withUnsafeBufferPointer { text($0, cache: cache) })
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, cache: StringCache?) -> String {
        (cache.map { $0.text(bytes, ascii: true) } ?? UTF8Text.string(bytes, ascii: true)) ?? ""
    }
}
