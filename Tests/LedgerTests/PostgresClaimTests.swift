import Foundation
import Testing

@testable import Ledger
@testable import LedgerPostgres
import PostgresNIO

/// Two workers ("hosts": two connections pools with their own worker tokens) on one PostgreSQL
/// ledger: the claims that make them split the work instead of sending a record twice.
@Suite(.enabled(if: LedgerBackend.postgresURL != nil || LedgerBackend.isCI, "needs PostgreSQL: set REFBRIDGE_TEST_POSTGRES_URL (see the README)"))
struct PostgresClaimTests {
    /// Two workers on a new database, both registered; both closed and the database dropped after.
    static func withTwoWorkers(_ body: (PostgresLedger, PostgresLedger) async throws -> Void) async throws {
        let (url, name) = try await LedgerBackend.newDatabase()
        let first = try await PostgresLedger.open(url, password: .none)
        let second = try await PostgresLedger.open(url, password: .none)
        defer { Task { await LedgerBackend.dropDatabase(name) } }
        do {
            try await first.hold()
            try await second.hold()
            try await body(first, second)
        } catch {
            await first.close()
            await second.close()
            throw error
        }
        await first.close()
        await second.close()
    }

    static func mark(_ ledger: PostgresLedger, _ id: String, requestId: String) async throws -> PendingMark {
        try await ledger.markPending(system: "s", externalId: id, requestId: requestId, payloadHash: "h", sourceLocation: nil, runId: 1, at: Date())
    }

    @Test func aLiveClaimIsTheOtherWorkersShare() async throws {
        try await Self.withTwoWorkers { first, second in
            #expect(try await Self.mark(first, "a", requestId: "r1") == .marked(requestId: "r1"))
            guard case .claimedElsewhere(let holder) = try await Self.mark(second, "a", requestId: "r2") else {
                Issue.record("the second worker was let in on a live claim")
                return
            }
            #expect(holder.contains("pid \(getpid())"))
            // Meeting another worker's share only reads the row: no lock, no write (xmax stays 0).
            for try await xmax in try await first.client.query(#"SELECT "xmax"::text FROM entry WHERE "externalId" = 'a'"#).decode(String.self) {
                #expect(xmax == "0")
            }
            // Its own start-of-run reconciliation does not take the live worker's create either.
            #expect(try await second.unresolved(system: nil).isEmpty)
            #expect(try await first.unresolved(system: nil).map(\.externalId) == ["a"])
        }
    }

    @Test func aRecordCreatedMeanwhileIsNotSentAgain() async throws {
        try await Self.withTwoWorkers { first, second in
            _ = try await Self.mark(first, "a", requestId: "r1")
            try await first.recordCreated(system: "s", externalId: "a", referralId: "ref", engagementId: nil, eTag: nil, status: nil, substatus: nil, payloadHash: "h", needsConnected: false, runId: 1)
            guard case .settledElsewhere(let entry) = try await Self.mark(second, "a", requestId: "r2") else {
                Issue.record("a created record was marked for a second create")
                return
            }
            #expect(entry.referralId == "ref")
        }
    }

    @Test func theConnectedStepIsClaimedAsTheCreateIs() async throws {
        try await Self.withTwoWorkers { first, second in
            _ = try await Self.mark(first, "a", requestId: "r1")
            try await first.recordCreated(system: "s", externalId: "a", referralId: "ref", engagementId: "eng", eTag: nil, status: nil, substatus: nil, payloadHash: "h", needsConnected: true, runId: 1)
            // The shared referral keeps its claim for its connected step: the other worker keeps off.
            await #expect(throws: RecordClaimedElsewhere.self) {
                try await second.markConnectedPending(system: "s", externalId: "a", requestId: "c2", at: Date())
            }
            try await first.markConnectedPending(system: "s", externalId: "a", requestId: "c1", at: Date())
            // Dead mid-POST of the connected step: left pending, for the next run's reconciliation.
            try await first.client.query(#"UPDATE entry SET "claimedUntil" = now() - interval '1 second'"#)
            do {
                try await second.markConnectedPending(system: "s", externalId: "a", requestId: "c2", at: Date())
                Issue.record("a connected step left pending by another worker was claimed for a new POST")
            } catch let claimed as RecordClaimedElsewhere {
                #expect(claimed.reason == .leftPending)
            }
            #expect(try await first.entry(system: "s", externalId: "a")?.connectedRequestId == "c1")
            try await first.recordConnectedCreated(system: "s", externalId: "a", connectedReferralId: "conn", runId: 1)
            do {
                try await second.markConnectedPending(system: "s", externalId: "a", requestId: "c2", at: Date())
                Issue.record("a connected referral created meanwhile was claimed for a new POST")
            } catch let claimed as RecordClaimedElsewhere {
                #expect(claimed.reason == .settled)
            }
        }
    }

    @Test func anExpiredClaimMidPostIsTakenOverWithItsRequestIdAndReconciledFirst() async throws {
        try await Self.withTwoWorkers { first, second in
            _ = try await Self.mark(first, "a", requestId: "r1")
            // The first worker dies mid-POST: its heartbeat stops and the claim runs out.
            try await first.client.query(#"UPDATE entry SET "claimedUntil" = now() - interval '1 second'"#)
            guard case .takenOver(let entry) = try await Self.mark(second, "a", requestId: "r2") else {
                Issue.record("an expired pending claim was not reported as taken over (no listing before a resend)")
                return
            }
            #expect(entry.requestId == "r1" && entry.attempts == 2)
            // Now the second worker's: the first, were it only stalled, cannot mark it again.
            guard case .claimedElsewhere = try await Self.mark(first, "a", requestId: "r1") else {
                Issue.record("the stalled worker took the record back")
                return
            }
        }
    }

    @Test func aDeadWorkersClaimsAreReleasedWhenItsHeartbeatExpires() async throws {
        try await Self.withTwoWorkers { first, second in
            _ = try await Self.mark(first, "a", requestId: "r1")
            try await first.recordFailed(system: "s", externalId: "a", error: "outcome unknown", runId: 1)
            _ = try await Self.mark(first, "b", requestId: "rb")
            try await first.client.query(#"UPDATE worker SET "heartbeatAt" = now() - interval '1 hour' WHERE "token" = \#(first.worker)"#)
            // A new run registers, finds the first worker dead, and its reconciliation claims both.
            let third = try await PostgresLedger.open(try PostgresLedgerURL(first.location), password: .none)
            try await third.hold()
            #expect(try await third.unresolved(system: nil).map(\.externalId).sorted() == ["a", "b"])
            // The dead worker was removed: were it only stalled, it may send nothing more.
            await #expect(throws: PostgresLedgerError.self) { _ = try await Self.mark(first, "c", requestId: "rc") }
            #expect(try await first.keepHolding() == false)
            _ = second
            try await third.releaseLease()
            await third.close()
        }
    }

    @Test func aPasswordInTheURLIsRefusedAndNeverRepeated() throws {
        #expect(throws: PostgresLedgerError.self) { try PostgresLedgerURL("postgres://u:s3cret@h:5432/db") }
        do {
            _ = try PostgresLedgerURL("postgres://u:s3cret@h:5432/db")
        } catch {
            #expect(!"\(error)".contains("s3cret"))
        }
        let url = try PostgresLedgerURL("postgresql://u@h/db?sslmode=require")
        #expect(url.port == 5432 && url.sslMode == .require && url.description == "postgres://u@h:5432/db?sslmode=require")
        #expect(throws: PostgresLedgerError.self) { try PostgresLedgerURL("postgres://u@h/db?sslmode=bogus") }
    }
}

/// `ledger migrate` both ways: SQLite → PostgreSQL → SQLite, nothing lost, the same export.
@Suite(.enabled(if: LedgerBackend.postgresURL != nil || LedgerBackend.isCI, "needs PostgreSQL: set REFBRIDGE_TEST_POSTGRES_URL (see the README)"))
struct LedgerMigrationTests {
    @Test func roundTripKeepsEveryRowAndTheExport() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try LedgerDatabase.open(path: folder + "/a.sqlite")
        let run = try await source.startRun(mode: "sync", configDigest: nil)
        for index in 0..<2_500 {
            try await source.markPending(system: "s", externalId: "id-\(index)", requestId: "r\(index)", payloadHash: "h", sourceLocation: "f.csv:record \(index)", runId: run, at: Date())
            if index % 3 != 0 {
                try await source.recordCreated(system: "s", externalId: "id-\(index)", referralId: "ref-\(index)", engagementId: nil, eTag: "\"e\"", status: "Active", substatus: "Accepted", payloadHash: "h", needsConnected: false, runId: run)
            }
        }
        try await source.recordRejected(system: "t", externalId: "x,\"y\"", reason: "refused\nwith a newline", sourceLocation: nil, payloadHash: nil, runId: run)
        try await source.finishRun(id: run, counts: RunCounts(read: 2_501, created: 1_666), exitCode: 1, aborted: false)

        let (url, name) = try await LedgerBackend.newDatabase()
        defer { Task { await LedgerBackend.dropDatabase(name) } }
        let middle = try await PostgresLedger.open(url, password: .none)
        let there = try await LedgerMigration.run(from: source, to: middle)
        #expect(there.matches && there.source.entries == 2_501 && there.source.runs == 1)
        let back = try LedgerDatabase.open(path: folder + "/b.sqlite")
        let again = try await LedgerMigration.run(from: middle, to: back)
        #expect(again.matches && again.target == there.source)
        // A second migration into the now non-empty ledger is refused.
        await #expect(throws: LedgerError.self) { _ = try await LedgerMigration.run(from: source, to: middle) }
        await middle.close()

        var before: [UInt8] = []
        var after: [UInt8] = []
        try source.export(format: .csv) { before += $0 }
        try back.export(format: .csv) { after += $0 }
        #expect(before == after)
    }
}

extension PostgresClaimTests {
    /// Live workers ordered by token: each has its own place, and the places cover 0..<count.
    @Test func liveWorkersTakeOneShareEach() async throws {
        try await Self.withTwoWorkers { first, second in
            let shares = [try await first.workShare(), try await second.workShare()]
            #expect(shares.allSatisfy { $0?.count == 2 })
            #expect(Set(shares.compactMap { $0?.index }) == [0, 1])
            // Alone again: no share to take.
            try await second.releaseLease()
            #expect(try await first.workShare() == nil)
            #expect(try await second.workShare() == nil)
        }
    }
}
