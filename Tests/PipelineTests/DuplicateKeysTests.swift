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
}
