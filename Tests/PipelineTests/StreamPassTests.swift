import Foundation
import Importers
import Ledger
import Mapping
import Testing

@testable import Pipeline

/// On a shared ledger a run reads the files twice: its own share, then the rest. Between them the
/// two passes yield every record exactly once, with the outcome a single pass gives it.
@Suite struct StreamPassTests {
    @Test(arguments: [2, 3])
    func theTwoPassesYieldEveryRecordOnceWithItsOneStreamOutcome(workers: Int) async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("leads.csv", Inputs.mixedCSV(1000))
        let spec = try Inputs.spec()
        let ledger = try LedgerDatabase.inMemory()
        func stream(_ pass: StreamPass?) throws -> RecordStream {
            try RecordStream(sources: [StreamSource(files: [file], spec: spec)], chunkSize: 64, ledger: ledger, pass: pass)
        }
        let (whole, _) = try await drain(try stream(nil))
        #expect(whole.count == 1000)

        var seenByWorker: [[Int]] = []
        for index in 0..<workers {
            let share = try #require(WorkShare(index: index, count: workers))
            let (own, _) = try await drain(try stream(.own(share)))
            let (others, _) = try await drain(try stream(.others(share)))
            // Each record once, in one of the two passes, with the outcome the single pass gave it
            // (a duplicate id meets its first occurrence in the same pass).
            let both = (own + others).sorted { $0.location.record < $1.location.record }
            #expect(both.map(digest) == whole.map(digest))
            // Records without an id (refused by the reader, or with an empty id) are the first pass's.
            #expect(others.allSatisfy { $0.externalId != nil })
            #expect(own.filter { $0.externalId != nil }.allSatisfy { share.owns(system: "t", externalId: $0.externalId ?? "") })
            seenByWorker.append(own.compactMap { $0.externalId == nil ? nil : $0.location.record })
        }
        // The workers' own shares cover the records with an id once between them, each a fair part.
        let owned = seenByWorker.flatMap { $0 }
        let withId = whole.filter { $0.externalId != nil }.map(\.location.record)
        #expect(owned.sorted() == withId.sorted())
        #expect(seenByWorker.allSatisfy { Double($0.count) > 0.6 * Double(withId.count) / Double(workers) })
    }

    @Test func aShareNeedsTwoWorkersAndAPlaceAmongThem() {
        #expect(WorkShare(index: 0, count: 1) == nil)
        #expect(WorkShare(index: 2, count: 2) == nil)
        #expect(WorkShare(index: -1, count: 3) == nil)
        #expect(WorkShare(index: 1, count: 3)?.description == "worker 2 of 3")
    }

    /// Workers of different builds and processes must split the records alike: the hash is pinned.
    @Test func theSplitIsTheSameInEveryProcess() throws {
        let share = try #require(WorkShare(index: 0, count: 3))
        let owners = (1...12).map { id in (0..<3).first { WorkShare(index: $0, count: 3)?.owns(system: "dynamics-leads", externalId: "lead-\(id)") == true } }
        #expect(owners.allSatisfy { $0 != nil })
        #expect(owners.compactMap { $0 } == [1, 2, 0, 2, 0, 1, 2, 2, 0, 1, 0, 2])  // FNV-1a 64 of "system\0id", mod 3
        #expect(share.owns(system: "dynamics-leads", externalId: "lead-3"))
    }
}
