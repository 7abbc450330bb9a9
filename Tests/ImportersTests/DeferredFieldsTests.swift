import Foundation
import Testing

@testable import Importers
// The sandbox's seeded generator: the same records every run.
@testable import Sandbox

/// `ImportOptions.deferDecoding`: a CSV record read as its bytes decodes to exactly the values the
/// reader makes itself, and is rejected (or not) for exactly the same reasons.
@Suite struct DeferredFieldsTests {
    static func read(_ text: [UInt8], deferDecoding: Bool, readFields: Set<String>? = nil) throws -> (records: [SourceRecord], rejected: [RejectedRecord]) {
        var options = ImportOptions(encoding: .utf8, delimiter: UInt8(ascii: ","), readFields: readFields)
        options.deferDecoding = deferDecoding
        let reader = try CSVRecordReader(file: "random.csv", source: CSVScanTests.DribbleSource(text, whole: text.count, seed: 1), options: options)
        return try reader.readAll()
    }

    @Test func randomRecordsDecodeAsTheReaderDecodesThem() throws {
        for seed in UInt64(1)...30 {
            var generator = SplitMix64(seed: seed)
            let columns = Int.random(in: 2...6, using: &generator)
            let (text, _) = CSVScanTests.randomCSV(rows: 60, columns: columns, padding: 0, using: &generator)
            let eager = try Self.read(text, deferDecoding: false)
            let lazy = try Self.read(text, deferDecoding: true)
            #expect(lazy.records.count == eager.records.count, "seed \(seed)")
            for (deferred, decoded) in zip(lazy.records, eager.records) {
                #expect(deferred.deferred != nil && deferred.values.isEmpty, "seed \(seed): left undecoded")
                #expect(decoded.deferred == nil)
                #expect(deferred.location == decoded.location, "seed \(seed)")
                #expect(deferred.materialized().values == decoded.values, "seed \(seed), line \(decoded.location.line ?? 0)")
                // One column at a time, and by name, without decoding the rest.
                for column in 0..<columns {
                    #expect(deferred.value(at: column) == decoded.values[column], "seed \(seed)")
                    #expect(deferred["H\(column + 1)"] == decoded.values[column], "seed \(seed)")
                }
                #expect(deferred.value(at: columns) == nil)
            }
        }
    }

    @Test func columnsNoOneReadsStayNullAndOddRecordsAreRejectedAlike() throws {
        let text = Array("id,name,notes\r\n1,\"Con\"\"toso\",x\r\n2,b\r\n3,\u{00e9}t\u{00e9},y\r\n\r\n4,\"a,b\",z\r\n".utf8)
            + [UInt8(ascii: "5"), 44, 0xC3, 0x28, 44, UInt8(ascii: "w"), 13, 10]
        for readFields: Set<String>? in [nil, ["id", "name"]] {
            let eager = try Self.read(text, deferDecoding: false, readFields: readFields)
            let lazy = try Self.read(text, deferDecoding: true, readFields: readFields)
            #expect(lazy.rejected == eager.rejected)
            #expect(eager.rejected.count == 2, "a short record and one with invalid UTF-8: \(eager.rejected)")
            #expect(lazy.records.map { $0.materialized().values } == eager.records.map(\.values))
            #expect(lazy.records.map(\.location) == eager.records.map(\.location))
        }
        let lazy = try Self.read(text, deferDecoding: true, readFields: ["id", "name"])
        #expect(lazy.records.first?.materialized().values == [.string("1"), .string("Con\"toso"), .null])
    }

    @Test func aDeferredRecordsBytesAreItsOwn() throws {
        let lazy = try Self.read(Array("id,name\n1,a\n2,\"b\"\"c\"\n".utf8), deferDecoding: true)
        let bytes = lazy.records.compactMap { $0.deferred?.withBytes { Array($0) } }
        #expect(bytes == [Array("1,a\n".utf8), Array("2,\"b\"\"c\"\n".utf8)])
        #expect(lazy.records.first?.deferred?.delimiter == UInt8(ascii: ","))
    }
}
