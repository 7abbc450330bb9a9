import Importers
import Testing

@testable import Pipeline

@Suite struct DuplicateKeysTests {
    @Test func everyRepeatIsFoundWithItsFirstPlaceAcrossGrowthAndFiles() {
        var keys = DuplicateKeys()
        // Enough ids that every shard grows several times.
        for index in 0..<100_000 {
            let first = keys.firstSeen(RecordKey(system: "s", externalId: "id-\(index)"), at: SourceLocation(file: "a.csv", record: index + 1))
            #expect(first == nil)
        }
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "id-0"), at: SourceLocation(file: "b.csv", record: 1)) == "a.csv:record 1")
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "id-99999"), at: SourceLocation(file: "b.csv", record: 2)) == "a.csv:record 100000")
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "new"), at: SourceLocation(file: "b.csv", record: 3)) == nil)
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "new"), at: SourceLocation(file: "c.csv", record: 9)) == "b.csv:record 3")
        // The same id in another system is another record.
        #expect(keys.firstSeen(RecordKey(system: "t", externalId: "id-0"), at: SourceLocation(file: "c.csv", record: 10)) == nil)
        #expect(keys.firstSeen(RecordKey(system: "", externalId: "sid-0"), at: SourceLocation(file: "c.csv", record: 11)) == nil)
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "id-0"), at: SourceLocation(file: "c.csv", record: 12)) == "a.csv:record 1")
    }

    @Test func everyFirstPlaceIsRecoveredFromItsPositionInTheRun() {
        var keys = DuplicateKeys()
        // Files of uneven lengths, one named twice in a row (its records counted again from 1), one
        // coming back after another, and a record 0 (a file-level rejection has that number).
        let files: [(String, Int)] = [("a.csv", 3), ("b.csv", 1), ("b.csv", 2), ("c.csv", 5), ("a.csv", 2)]
        var expected: [String: String] = [:]
        var serial = 0
        for (file, count) in files {
            for record in 0...count {
                serial += 1
                let id = "id-\(serial)"
                #expect(keys.firstSeen(RecordKey(system: "s", externalId: id), at: SourceLocation(file: file, record: record)) == nil)
                expected[id] = "\(file):record \(record)"
            }
        }
        for (id, place) in expected {
            #expect(keys.firstSeen(RecordKey(system: "s", externalId: id), at: SourceLocation(file: "z.csv", record: 1)) == place)
        }
    }

    @Test func recordNumbersPastFourBillionStillFindTheRepeat() {
        var keys = DuplicateKeys()
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "x"), at: SourceLocation(file: "a.csv", record: 5_000_000_000)) == nil)
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "y"), at: SourceLocation(file: "a.csv", record: Int.max)) == nil)
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "z"), at: SourceLocation(file: "b.csv", record: Int.max)) == nil)
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "x"), at: SourceLocation(file: "c.csv", record: 1)) == "an earlier record")
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "z"), at: SourceLocation(file: "c.csv", record: 2)) == "an earlier record")
    }
}
