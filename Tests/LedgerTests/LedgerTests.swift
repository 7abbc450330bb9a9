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

    // The store-agnostic tests are in LedgerContractTests.swift, run against SQLite and PostgreSQL.

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
        // One instant for both: on the wall clock, a starved test run took more than the lease's
        // timeout between the two calls (147 s once), and the live holder's lease had expired.
        let now = Date()
        _ = try await first.acquireLease(now: now, host: "h", pid: 100, isAlive: { _ in true })
        try await first.setLeaseRun(7)
        await #expect {
            _ = try await second.acquireLease(now: now, host: "h", pid: 200, isAlive: { _ in true })
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
