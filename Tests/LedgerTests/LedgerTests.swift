import Foundation
import Testing

@testable import Ledger

@Suite struct LedgerTests {
    @Test func fileIsCreatedPrivate() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID())/sub").path
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let path = folder + "/ledger.sqlite"
        let ledger = try LedgerDatabase.open(path: path)
        try await ledger.markPending(system: "s", externalId: "a", requestId: "r", payloadHash: "h", sourceLocation: "x.csv:record 1", runId: 1, at: Date())
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        // Reopening keeps the data and does not re-run migrations.
        let again = try LedgerDatabase.open(path: path)
        #expect(try await again.entry(system: "s", externalId: "a")?.requestId == "r")
        let readOnly = try LedgerDatabase.open(path: path, readOnly: true)
        #expect(try await readOnly.entry(system: "s", externalId: "a")?.state == .pending)
    }

    @Test func requestIdIsStableAcrossAttempts() async throws {
        let ledger = try LedgerDatabase.inMemory()
        let first = Date(timeIntervalSince1970: 1000)
        try await ledger.markPending(system: "s", externalId: "a", requestId: "r1", payloadHash: "h", sourceLocation: nil, runId: 1, at: first)
        try await ledger.recordFailed(system: "s", externalId: "a", error: "timeout", runId: 1)
        try await ledger.markPending(system: "s", externalId: "a", requestId: "r2", payloadHash: "h", sourceLocation: nil, runId: 2, at: Date(timeIntervalSince1970: 2000))
        let entry = try #require(try await ledger.entry(system: "s", externalId: "a"))
        #expect(entry.requestId == "r1")
        #expect(entry.pendingSince == first)
        #expect(entry.attempts == 2)
        #expect(try await ledger.unresolved(system: nil).map(\.externalId) == ["a"])
        #expect(try await ledger.stats().unresolved == 1)
    }

    @Test func createdThenConnectedThenUpdated() async throws {
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.markPending(system: "s", externalId: "a", requestId: "r", payloadHash: "h1", sourceLocation: nil, runId: 1, at: Date())
        try await ledger.recordCreated(system: "s", externalId: "a", referralId: "ref", engagementId: "eng", eTag: "\"e1\"", status: "Active", substatus: "Accepted", payloadHash: "h1", needsConnected: true, runId: 1)
        var entry = try #require(try await ledger.entry(system: "s", externalId: "a"))
        #expect(entry.state == .created && entry.pendingSince == nil)
        // Created but its connected step never tried (killed in between): unresolved, for sync and stats alike.
        #expect(try await ledger.unresolved(system: "s").count == 1)
        #expect(try await ledger.stats().unresolved == 1)
        try await ledger.markConnectedPending(system: "s", externalId: "a", requestId: "rc", at: Date())
        #expect(try await ledger.unresolved(system: "s").count == 1)
        try await ledger.recordConnectedCreated(system: "s", externalId: "a", connectedReferralId: "conn", runId: 1)
        try await ledger.recordUpdated(system: "s", externalId: "a", eTag: "\"e2\"", status: "Active", substatus: "Accepted", payloadHash: "h2", runId: 2)
        entry = try #require(try await ledger.entry(system: "s", externalId: "a"))
        #expect(entry.state == .updated && entry.eTag == "\"e2\"" && entry.payloadHash == "h2" && entry.connectedReferralId == "conn")
        #expect(try await ledger.unresolved(system: nil).isEmpty)
        #expect(try await ledger.stats().unresolved == 0)
    }

    @Test func rejectionsNeverHideAReferral() async throws {
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.recordRejected(system: "s", externalId: "bad", reason: "consent missing", sourceLocation: "f:1", payloadHash: nil, runId: 1)
        #expect(try await ledger.entry(system: "s", externalId: "bad")?.state == .rejected)
        try await ledger.recordCreated(system: "s", externalId: "ok", referralId: "r", engagementId: nil, eTag: nil, status: nil, substatus: nil, payloadHash: "h", needsConnected: false, runId: 1)
        try await ledger.recordRejected(system: "s", externalId: "ok", reason: "update refused", sourceLocation: nil, payloadHash: "h2", runId: 2)
        let ok = try #require(try await ledger.entry(system: "s", externalId: "ok"))
        #expect(ok.state == .created && ok.referralId == "r" && ok.lastError == "update refused" && ok.payloadHash == "h")
    }

    @Test func batchedRejectionsFollowTheSameRuleAsOne() async throws {
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.recordCreated(system: "s", externalId: "ok", referralId: "r", engagementId: nil, eTag: nil, status: nil, substatus: nil, payloadHash: "h", needsConnected: false, runId: 1)
        try await ledger.recordRejected(system: "s", rejects: [
            LedgerDatabase.Reject(externalId: "bad", reason: "consent: missing", sourceLocation: "f.csv:record 2"),
            LedgerDatabase.Reject(externalId: "ok", reason: "email: not an address", sourceLocation: nil),
        ], runId: 2)
        let bad = try #require(try await ledger.entry(system: "s", externalId: "bad"))
        #expect(bad.state == .rejected && bad.lastError == "consent: missing" && bad.sourceLocation == "f.csv:record 2" && bad.firstRunId == 2)
        let ok = try #require(try await ledger.entry(system: "s", externalId: "ok"))
        #expect(ok.state == .created && ok.referralId == "r" && ok.lastError == "email: not an address" && ok.payloadHash == "h")
    }

    @Test func batchedLookupsOverManyIds() async throws {
        let ledger = try LedgerDatabase.inMemory()
        for index in 0..<1200 {
            try await ledger.recordCreated(system: "s", externalId: "id-\(index)", referralId: "r-\(index)", engagementId: nil, eTag: nil, status: nil, substatus: nil, payloadHash: "h", needsConnected: false, runId: 1)
        }
        let ids = (0..<1300).map { "id-\($0)" }
        let found = try await ledger.entries(system: "s", externalIds: ids)
        #expect(found.count == 1200)
        #expect(found["id-1199"]?.referralId == "r-1199")
        #expect(try await ledger.entries(system: "other", externalIds: ids).isEmpty)
    }

    @Test func runsAndStats() async throws {
        let ledger = try LedgerDatabase.inMemory()
        let run = try await ledger.startRun(mode: "sync", configDigest: nil)
        try await ledger.recordRejected(system: "s", externalId: "x", reason: "r", sourceLocation: nil, payloadHash: nil, runId: run)
        try await ledger.finishRun(id: run, counts: RunCounts(read: 1, rejected: 1), exitCode: 1, aborted: false)
        let stats = try await ledger.stats()
        #expect(stats.bySystem["s"]?[.rejected] == 1)
        #expect(stats.lastRuns.first?.counts?.rejected == 1 && stats.lastRuns.first?.exitCode == 1)
    }

    @Test func exportEscapesCSVAndWritesJSON() async throws {
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.recordRejected(system: "s", externalId: "a,b", reason: "said \"no\"\nthen left", sourceLocation: nil, payloadHash: nil, runId: 1)
        try await ledger.recordRejected(system: "s", externalId: "=HYPERLINK(\"http://x\")", reason: "@SUM(1)", sourceLocation: "-2+3", payloadHash: nil, runId: 1)
        let csvPath = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID()).csv").path
        let jsonPath = csvPath + ".json"
        defer { try? FileManager.default.removeItem(atPath: csvPath); try? FileManager.default.removeItem(atPath: jsonPath) }
        for (path, format) in [(csvPath, LedgerDatabase.ExportFormat.csv), (jsonPath, .json)] {
            FileManager.default.createFile(atPath: path, contents: nil)
            var bytes: [UInt8] = []
            try ledger.export(format: format) { bytes += $0 }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
        #expect(csv.contains("\"a,b\""))
        #expect(csv.contains("\"said \"\"no\"\"\nthen left\""))
        // Spreadsheet-safe: nothing a spreadsheet would run as a formula.
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\"") && csv.contains("\"'@SUM(1)\"") && csv.contains("\"'-2+3\""))
        let json = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: jsonPath))) as? [[String: Any]]
        #expect(json?.contains { $0["externalId"] as? String == "a,b" } == true)
    }
}

/// The lease keeps overlapping runs from both sending.
@Suite struct LedgerLeaseTests {
    static func twoHandles() throws -> (LedgerDatabase, LedgerDatabase, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lease-\(UUID()).sqlite").path
        return (try LedgerDatabase.open(path: path), try LedgerDatabase.open(path: path), path)
    }

    @Test func aLiveHolderKeepsTheLedgerAndTheSecondRunChangesNothing() async throws {
        let (first, second, path) = try Self.twoHandles()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try await first.acquireLease(host: "h", pid: 100, isAlive: { _ in true })
        try await first.setLeaseRun(7)
        await #expect {
            _ = try await second.acquireLease(host: "h", pid: 200, isAlive: { _ in true })
        } throws: { error in
            "\(error)".hasPrefix("the ledger is in use by run 7 on h pid 100 since ")
        }
        #expect(try await second.lease()?.pid == 100)
    }

    @Test func aDeadHolderOnThisHostIsTakenOverAtOnce() async throws {
        let (first, second, path) = try Self.twoHandles()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try await first.acquireLease(host: "h", pid: 100, isAlive: { _ in true })
        _ = try await second.acquireLease(host: "h", pid: 200, isAlive: { $0 != 100 })
        // The old holder, had it only stalled, can no longer mark anything pending: it sends nothing.
        await #expect(throws: LedgerError.self) {
            try await first.markPending(system: "s", externalId: "a", requestId: "r", payloadHash: nil, sourceLocation: nil, runId: 1, at: Date())
        }
        #expect(try await first.renewLease() == false)
        try await second.markPending(system: "s", externalId: "a", requestId: "r", payloadHash: nil, sourceLocation: nil, runId: 2, at: Date())
    }

    @Test func aHolderOnAnotherHostIsTakenOverOnlyAfterItsHeartbeatExpires() async throws {
        let (first, second, path) = try Self.twoHandles()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = Date(timeIntervalSince1970: 1_000_000)
        _ = try await first.acquireLease(now: start, host: "other", pid: 100)
        _ = try await first.renewLease(now: start.addingTimeInterval(50))
        await #expect(throws: LedgerBusy.self) {
            _ = try await second.acquireLease(now: start.addingTimeInterval(50 + LedgerDatabase.leaseTimeout - 1), host: "h", pid: 200, isAlive: { _ in true })
        }
        let lease = try await second.acquireLease(now: start.addingTimeInterval(50 + LedgerDatabase.leaseTimeout + 1), host: "h", pid: 200, isAlive: { _ in true })
        #expect(try await second.lease()?.token == lease.token)
        try await second.releaseLease()
        #expect(try await second.lease() == nil)
    }
}
