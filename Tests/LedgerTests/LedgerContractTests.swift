import Foundation
import Testing

@testable import Ledger

/// The ledger's promises, held by both stores: each test runs against SQLite and, where a server
/// is given (always in CI), PostgreSQL.
@Suite struct LedgerContractTests {
    @Test(arguments: LedgerBackend.available) func requestIdIsStableAcrossAttempts(_ backend: LedgerBackend) async throws {
        try await withLedger(backend) { ledger in
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
    }

    /// The planner's view, by position: the same on both stores (SQLite reads it with a query of
    /// its own, PostgreSQL through `entries`).
    @Test(arguments: LedgerBackend.available) func planningEntriesAreByPosition(_ backend: LedgerBackend) async throws {
        try await withLedger(backend) { ledger in
            try await ledger.recordCreated(system: "s", externalId: "a", referralId: "ra", engagementId: "ea", eTag: nil, status: "Active", substatus: "Accepted", payloadHash: "ha", needsConnected: true, runId: 1)
            try await ledger.recordRejected(system: "s", externalId: "b", reason: "consent missing", sourceLocation: "f:2", payloadHash: nil, runId: 1)
            try await ledger.recordCreated(system: "other", externalId: "c", referralId: "rc", engagementId: nil, eTag: nil, status: nil, substatus: nil, payloadHash: "hc", needsConnected: false, runId: 1)
            let found = try await ledger.planningEntries(system: "s", externalIds: ["b", nil, "c", "a", "a"])
            #expect(found.count == 5)
            #expect(found[0] == PlanningEntry(state: .rejected, lastError: "consent missing"))
            #expect(found[1] == nil && found[2] == nil && found[4] == nil)
            #expect(
                found[3] == PlanningEntry(state: .created, referralId: "ra", engagementId: "ea", needsConnected: true, status: "Active", substatus: "Accepted", payloadHash: "ha"))
        }
    }

    /// What a content mapped to is noted on the entry alone, read back in both views, and an id the
    /// ledger does not hold is left alone.
    @Test(arguments: LedgerBackend.available) func sourceDigestNotes(_ backend: LedgerBackend) async throws {
        try await withLedger(backend) { ledger in
            try await ledger.recordCreated(system: "s", externalId: "a", referralId: "ra", engagementId: nil, eTag: nil, status: "Active", substatus: nil, payloadHash: "ha", needsConnected: false, runId: 1)
            let before = try #require(try await ledger.entry(system: "s", externalId: "a"))
            try await ledger.recordSourceDigests(system: "s", notes: [
                SourceDigestNote(externalId: "a", sourceDigest: "d1", mapsTo: "ha"), SourceDigestNote(externalId: "missing", sourceDigest: "d2", mapsTo: "hb"),
            ])
            let after = try #require(try await ledger.entry(system: "s", externalId: "a"))
            #expect(after.sourceDigest == "d1" && after.sourceMapsTo == "ha")
            var rest = after
            rest.sourceDigest = nil
            rest.sourceMapsTo = nil
            #expect(rest == before)
            #expect(try await ledger.entry(system: "s", externalId: "missing") == nil)
            let planning = try await ledger.planningEntries(system: "s", externalIds: ["a"])
            #expect(planning[0]?.sourceDigest == "d1" && planning[0]?.sourceMapsTo == "ha")
        }
    }

    @Test(arguments: LedgerBackend.available) func createdThenConnectedThenUpdated(_ backend: LedgerBackend) async throws {
        try await withLedger(backend) { ledger in
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
    }

    @Test(arguments: LedgerBackend.available) func rejectionsNeverHideAReferral(_ backend: LedgerBackend) async throws {
        try await withLedger(backend) { ledger in
            try await ledger.recordRejected(system: "s", externalId: "bad", reason: "consent missing", sourceLocation: "f:1", payloadHash: nil, runId: 1)
            #expect(try await ledger.entry(system: "s", externalId: "bad")?.state == .rejected)
            try await ledger.recordCreated(system: "s", externalId: "ok", referralId: "r", engagementId: nil, eTag: nil, status: nil, substatus: nil, payloadHash: "h", needsConnected: false, runId: 1)
            try await ledger.recordRejected(system: "s", externalId: "ok", reason: "update refused", sourceLocation: nil, payloadHash: "h2", runId: 2)
            let ok = try #require(try await ledger.entry(system: "s", externalId: "ok"))
            #expect(ok.state == .created && ok.referralId == "r" && ok.lastError == "update refused" && ok.payloadHash == "h")
        }
    }

    @Test(arguments: LedgerBackend.available) func batchedRejectionsFollowTheSameRuleAsOne(_ backend: LedgerBackend) async throws {
        try await withLedger(backend) { ledger in
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
    }

    @Test(arguments: LedgerBackend.available) func batchedLookupsOverManyIds(_ backend: LedgerBackend) async throws {
        try await withLedger(backend) { ledger in
            for index in 0..<1200 {
                try await ledger.recordCreated(system: "s", externalId: "id-\(index)", referralId: "r-\(index)", engagementId: nil, eTag: nil, status: nil, substatus: nil, payloadHash: "h", needsConnected: false, runId: 1)
            }
            let ids = (0..<1300).map { "id-\($0)" }
            let found = try await ledger.entries(system: "s", externalIds: ids)
            #expect(found.count == 1200)
            #expect(found["id-1199"]?.referralId == "r-1199")
            #expect(try await ledger.entries(system: "other", externalIds: ids).isEmpty)
        }
    }

    @Test(arguments: LedgerBackend.available) func runsAndStats(_ backend: LedgerBackend) async throws {
        try await withLedger(backend) { ledger in
            let run = try await ledger.startRun(mode: "sync", configDigest: nil)
            try await ledger.recordRejected(system: "s", externalId: "x", reason: "r", sourceLocation: nil, payloadHash: nil, runId: run)
            try await ledger.finishRun(id: run, counts: RunCounts(read: 1, rejected: 1), exitCode: 1, aborted: false)
            let stats = try await ledger.stats()
            #expect(stats.bySystem["s"]?[.rejected] == 1)
            #expect(stats.lastRuns.first?.counts?.rejected == 1 && stats.lastRuns.first?.exitCode == 1)
        }
    }
}
