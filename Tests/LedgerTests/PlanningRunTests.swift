import Foundation
import GRDB
import Testing

@testable import Ledger

/// Planning lookups read a chunk's rows as one run of rows when the input is in the ledger's order
/// (`LedgerDatabase+Planning`); whatever the order, each id gets what an index lookup gives it.
struct PlanningRunTests {
    /// A ledger of `s` entries `id-0` … `id-999` written in that order, with an entry of system `t`
    /// after every tenth (rows of another system inside the run).
    static func ledger() async throws -> LedgerDatabase {
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.writeRawForTests(
            sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999),
                rows(system, i) AS (SELECT 's', i FROM n UNION ALL SELECT 't', i FROM n WHERE i % 10 = 0)
                INSERT INTO entry (system, externalId, state, referralId, needsConnected, payloadHash, attempts, createdAt, updatedAt)
                SELECT system, 'id-' || i, 'created', system || '-ref-' || i, 0, 'h' || i, 0, '2026-12-01 00:00:00.000', '2026-12-01 00:00:00.000'
                FROM rows ORDER BY i, system
                """)
        return ledger
    }

    /// What each position must get: the entry of its id at the id's first position, if the
    /// ledger holds it.
    static func expected(_ ids: [String?]) -> [String?] {
        var seen: Set<String> = []
        return ids.map { id in
            guard let id, seen.insert(id).inserted, let number = Int(id.dropFirst(3)), id.hasPrefix("id-"), number < 1_000 else { return nil }
            return "s-ref-\(number)"
        }
    }

    static let orders: [(name: String, ids: [String?])] = [
        ("in order", (0..<300).map { "id-\($0)" }),
        ("with records the ledger never saw", (0..<300).map { $0 % 7 == 3 ? "new-\($0)" : "id-\($0)" }),
        ("starting with new records", ["new-a", "new-b", "new-c", "new-d", "new-e"] + (0..<100).map { "id-\($0)" }),
        ("an id given twice, and nil", (0..<300).map { "id-\($0)" } + ["id-5", nil, "id-10"]),
        ("an id repeated before its row", ["id-50"] + (40..<200).map { "id-\($0)" }),
        ("out of order", (0..<300).map { "id-\(($0 * 37) % 1_000)" }),
        ("backwards", (0..<300).reversed().map { "id-\($0)" }),
        ("past the ledger's end", (900..<1_100).map { "id-\($0)" }),
    ]

    @Test(arguments: orders.indices)
    func everyOrderGetsWhatTheIndexGives(_ index: Int) async throws {
        let (_, ids) = Self.orders[index]
        let ledger = try await Self.ledger()
        // Twice: the second call may find runs paused by the first.
        for _ in 0..<2 {
            let found = try await ledger.planningEntries(system: "s", externalIds: ids)
            #expect(found.map(\.?.referralId) == Self.expected(ids))
            #expect(found.allSatisfy { $0 == nil || $0?.state == .created })
        }
        #expect(try await ledger.planningEntries(system: "u", externalIds: ids).allSatisfy { $0 == nil })
    }

    /// The run itself, not the index after it: in order, it places every id the ledger holds,
    /// reads past the rows of ids the chunk does not ask for, and stops a few rows after the
    /// chunk's last (the rows of another system are not read at all).
    @Test func aRunInOrderPlacesEveryIdItReads() async throws {
        let ledger = try await Self.ledger()
        // id-100, id-105, … are in the ledger but not asked for; the chunk ends with new records.
        let ids: [String?] = (100..<300).map { $0 % 5 == 0 ? "new-\($0)" : "id-\($0)" } + (0..<56).map { "new-tail-\($0)" }
        let order = ids.enumerated().compactMap { position, id in id.map { (id: $0, position: position) } }
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1.id, $0) })
        let (run, found) = try await ledger.writer.read { db in
            var result = [PlanningEntry?](repeating: nil, count: ids.count)
            var repeated = PlanningEntry.RepeatedTexts()
            let run = try LedgerDatabase.readRun(db, system: "s", order: order, rank: rank, into: &result, repeated: &repeated)
            return (run, result)
        }
        #expect(run?.placed == 160)
        // From id-101 (new-100 is not in the ledger) to id-299, then the strays id-300 … id-315.
        #expect(run?.read == (299 - 101 + 1) + PlanningRuns.strayRowsToStop)
        #expect(found.map(\.?.referralId) == Self.expected(ids))
    }

    /// One source's rows followed by many of another's (a first run of two sources): the chunk that
    /// reaches past the first source's last row still gets what the index gives.
    @Test func aRunPastTheLastRowOfItsSystem() async throws {
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.writeRawForTests(
            sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999),
                rows(system, i) AS (SELECT 's', i FROM n WHERE i < 100 UNION ALL SELECT 't', i FROM n)
                INSERT INTO entry (system, externalId, state, referralId, needsConnected, payloadHash, attempts, createdAt, updatedAt)
                SELECT system, 'id-' || i, 'created', system || '-ref-' || i, 0, 'h' || i, 0, '2026-12-01 00:00:00.000', '2026-12-01 00:00:00.000'
                FROM rows ORDER BY system, i
                """)
        let ids: [String?] = (50..<150).map { "id-\($0)" }
        let found = try await ledger.planningEntries(system: "s", externalIds: ids)
        #expect(found.map(\.?.referralId) == ids.map { id in Int(id!.dropFirst(3))! < 100 ? "s-ref-\(id!.dropFirst(3))" : nil })
    }

    /// Nothing to start from when none of the first ids is in the ledger: no run.
    @Test func noRunWithoutAKnownIdAtTheStart() async throws {
        let ledger = try await Self.ledger()
        let ids: [String] = (0..<PlanningRuns.startTries).map { "new-\($0)" } + ["id-1", "id-2"]
        let order = ids.enumerated().map { (id: $1, position: $0) }
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1.id, $0) })
        let run = try await ledger.writer.read { db in
            var result = [PlanningEntry?](repeating: nil, count: ids.count)
            var repeated = PlanningEntry.RepeatedTexts()
            return try LedgerDatabase.readRun(db, system: "s", order: order, rank: rank, into: &result, repeated: &repeated)
        }
        #expect(run == nil)
    }

    /// A run that placed under half of what it read pauses runs, twice as long after each miss in a
    /// row, up to `longestPause`; a run that placed most of its rows ends the pause's growth.
    @Test func missesPauseRunsLongerEachTime() {
        var runs = PlanningRuns()
        let first = runs.shouldTry()
        #expect(first)
        func skipped() -> Int {
            var count = 0
            while !runs.shouldTry() { count += 1 }
            return count
        }
        runs.record(.init(read: 100, placed: 10))
        #expect(skipped() == 2)
        runs.record(.init(read: 100, placed: 49))
        #expect(skipped() == 4)
        for _ in 0..<20 { runs.record(.init(read: 100, placed: 0)) }
        #expect(skipped() == PlanningRuns.longestPause)
        runs.record(.init(read: 100, placed: 50))
        let afterAHit = runs.shouldTry()
        #expect(afterAHit)
        runs.record(.init(read: 100, placed: 0))
        #expect(skipped() == 2)
    }
}
