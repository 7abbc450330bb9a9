import Foundation
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

    /// Lead GUIDs counting up (as CRM exports often hold) differ only in their last characters: the
    /// shards must share them evenly, or the table grows with the run's length (each shard to the
    /// most it ever held between two spills) and peak memory with it.
    @Test func countingUpGuidsSpreadEvenlySoTheTableStaysTheSameSize() {
        var keys = DuplicateKeys(spillAfter: 65_536)
        func add(_ range: Range<Int>) {
            for index in range {
                let digits = String(index)
                let id = "000000d1-0000-0000-0000-" + String(repeating: "0", count: 12 - digits.count) + digits
                _ = keys.firstSeen(RecordKey(system: "dynamics-leads", externalId: id), at: SourceLocation(file: "leads.csv", record: index))
            }
        }
        add(1..<131_073)  // two spills: every shard has met its share twice
        let early = keys.tableCapacity
        add(131_073..<655_361)  // eight spills more
        // A spill leaves every shard room for a fair share (365 slots, 93,440 in all); a shard
        // dealt an unlucky share grows by a quarter until the next spill. With FNV-1a's top byte
        // picking the shard (976 ids in one, none in others) the table held 105k slots after two
        // spills and 159k after ten.
        #expect(early <= 100_000, "\(early) slots")
        #expect(keys.tableCapacity <= early + early / 20, "\(early) slots after two spills, \(keys.tableCapacity) after ten")
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

/// Past `spillAfter` ids the table moves to sorted runs on disk: the answers must not change.
@Suite struct SpilledDuplicateKeysTests {
    // 20,000: a run of 240 KB, written through the 64 KB buffer in several pieces.
    @Test(arguments: [100, 777, 5_000, 20_000])
    func repeatsAreFoundOnDiskAsInMemory(spillAfter: Int) {
        var spilling = DuplicateKeys(spillAfter: spillAfter)
        var memory = DuplicateKeys(spillAfter: Int.max)
        // 40k ids (with spillAfter 100, hundreds of runs and so many merges), every 7th a repeat of an
        // earlier one, some ids repeated many times, across two files.
        for index in 0..<40_000 {
            let id = index % 7 == 6 ? "id-\(index / 3)" : (index % 1000 == 5 ? "hot" : "id-\(index)")
            let file = index < 20_000 ? "a.csv" : "b.csv"
            let location = SourceLocation(file: file, record: index + 1)
            let expected = memory.firstSeen(RecordKey(system: "s", externalId: id), at: location)
            let found = spilling.firstSeen(RecordKey(system: "s", externalId: id), at: location)
            if found != expected {
                Issue.record("id \(id) at record \(index + 1): \(found ?? "new") where memory says \(expected ?? "new")")
                return
            }
        }
        #expect(spilling.firstSeen(RecordKey(system: "s", externalId: "id-0"), at: SourceLocation(file: "c.csv", record: 1)) == "a.csv:record 1")
        #expect(spilling.firstSeen(RecordKey(system: "s", externalId: "never"), at: SourceLocation(file: "c.csv", record: 2)) == nil)
    }

    @Test func withoutATemporaryFolderTheIdsStayInMemory() {
        var keys = DuplicateKeys(spillAfter: 10, spillDirectory: "/nonexistent-\(UInt64.random(in: 0...UInt64.max))")
        for index in 0..<1_000 {
            #expect(keys.firstSeen(RecordKey(system: "s", externalId: "id-\(index)"), at: SourceLocation(file: "a.csv", record: index + 1)) == nil)
        }
        #expect(keys.firstSeen(RecordKey(system: "s", externalId: "id-3"), at: SourceLocation(file: "a.csv", record: 2_000)) == "a.csv:record 4")
    }

    @Test func aRunOutOfHashOrderIsRefusedAndLosesNothing() throws {
        let keys = try SpilledKeys(directory: NSTemporaryDirectory())
        func run(_ entries: [(UInt64, UInt32)]) throws {
            try keys.appendRun { emit in for (hash, place) in entries { try emit(hash, place) } }
        }
        #expect(throws: SpillError.self) { try run([(5, 1), (3, 2)]) }
        try run([(3, 2), (5, 1)])
        #expect(try keys.place(of: 5) == 1)
        #expect(try keys.place(of: 3) == 2)
        #expect(try keys.place(of: 4) == nil)
    }

    @Test func theFilterSaysNoForNearlyEveryNewId() {
        var filter = BlockedFilter(bytes: 4 << 20)
        var hash: UInt64 = 0x1234_5678
        func next() -> UInt64 { hash = hash &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return hash }
        for _ in 0..<2_000_000 { filter.add(next()) }
        var maybe = 0
        for _ in 0..<100_000 where filter.mayContain(next()) { maybe += 1 }
        // About 1 in 1,400 at 2M ids; a loose bound, so the test says something and never flakes.
        #expect(maybe < 500, "\(maybe) of 100,000 new ids taken for known ones")
    }
}
