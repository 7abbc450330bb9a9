public import Foundation
import GRDB

extension LedgerDatabase {
    /// Errors are kept this long (characters): enough to read, bounded whatever the API answers.
    public static let maxErrorLength = 2000

    @discardableResult
    private func upsert(system: String, externalId: String, at date: Date = Date(), gated: Bool = false, _ change: @escaping @Sendable (inout LedgerEntry) -> Void) async throws -> LedgerEntry {
        try await writer.write { db in
            if gated { try self.checkLease(db) }
            var entry = try LedgerEntry.fetchOne(db, key: ["system": system, "externalId": externalId])
                ?? LedgerEntry(system: system, externalId: externalId, state: .pending, at: date)
            change(&entry)
            entry.updatedAt = date
            try entry.save(db)
            return entry
        }
    }

    /// Written before a create is sent. Keeps an earlier request id, so every attempt of the same
    /// create carries the same `MS-RequestId`.
    /// The gate before a create is sent: it fails when this run no longer holds the ledger's lease.
    /// The lease makes this run the only writer, so a mark is always `.marked`.
    @discardableResult
    public func markPending(system: String, externalId: String, requestId: String, payloadHash: String?, sourceLocation: String?, runId: Int64?, at date: Date) async throws -> PendingMark {
        let entry = try await upsert(system: system, externalId: externalId, at: date, gated: true) { entry in
            entry.state = .pending
            if entry.requestId == nil || entry.referralId != nil { entry.requestId = requestId }
            if entry.pendingSince == nil { entry.pendingSince = date }
            entry.payloadHash = payloadHash
            entry.sourceLocation = sourceLocation
            entry.attempts += 1
            entry.firstRunId = entry.firstRunId ?? runId
            entry.lastRunId = runId
        }
        return .marked(requestId: entry.requestId ?? requestId)
    }

    public func recordCreated(
        system: String, externalId: String, referralId: String, engagementId: String?, eTag: String?, status: String?,
        substatus: String?, payloadHash: String?, needsConnected: Bool, runId: Int64?
    ) async throws {
        try await upsert(system: system, externalId: externalId) { entry in
            entry.state = .created
            entry.referralId = referralId
            entry.engagementId = engagementId
            entry.eTag = eTag
            entry.status = status
            entry.substatus = substatus
            if let payloadHash { entry.payloadHash = payloadHash }
            entry.needsConnected = needsConnected
            entry.pendingSince = nil
            entry.lastError = nil
            entry.firstRunId = entry.firstRunId ?? runId
            entry.lastRunId = runId
        }
    }

    public func markConnectedPending(system: String, externalId: String, requestId: String, at date: Date) async throws {
        try await upsert(system: system, externalId: externalId, at: date, gated: true) { entry in
            if entry.connectedRequestId == nil { entry.connectedRequestId = requestId }
            if entry.connectedPendingSince == nil { entry.connectedPendingSince = date }
        }
    }

    public func recordConnectedCreated(system: String, externalId: String, connectedReferralId: String, runId: Int64?) async throws {
        try await upsert(system: system, externalId: externalId) { entry in
            entry.connectedReferralId = connectedReferralId
            entry.connectedPendingSince = nil
            entry.lastError = nil
            entry.lastRunId = runId
        }
    }

    public func recordUpdated(system: String, externalId: String, eTag: String?, status: String?, substatus: String?, payloadHash: String?, runId: Int64?) async throws {
        try await upsert(system: system, externalId: externalId) { entry in
            entry.state = .updated
            entry.eTag = eTag
            entry.status = status
            entry.substatus = substatus
            if let payloadHash { entry.payloadHash = payloadHash }
            entry.lastError = nil
            entry.lastRunId = runId
        }
    }

    // The one-record `recordRejected(system:externalId:…)` is in the `MappingLedger` extension.

    /// A refused record, for `recordRejected(system:rejects:runId:)`.
    public struct Reject: Sendable, Equatable {
        public var externalId: String
        public var reason: String
        public var sourceLocation: String?
        /// The payload the API refused; nil for a record the mapping refused.
        public var payloadHash: String?
        /// What the record's content mapped to (`SourceDigestNote`), noted in the same write.
        public var sourceDigest: String?
        public var sourceMapsTo: String?

        public init(externalId: String, reason: String, sourceLocation: String?, payloadHash: String? = nil, sourceDigest: String? = nil, sourceMapsTo: String? = nil) {
            self.externalId = externalId
            self.reason = reason
            self.sourceLocation = sourceLocation
            self.payloadHash = payloadHash
            self.sourceDigest = sourceDigest
            self.sourceMapsTo = sourceMapsTo
        }
    }

    /// The one rule for a refused record, as one statement: a new entry is `rejected`; an entry
    /// with a referral keeps it, its state and its payload hash, and only the error is noted.
    static let rejectSQL = """
        INSERT INTO entry (system, externalId, state, payloadHash, lastError, sourceLocation, firstRunId, lastRunId, attempts, needsConnected, createdAt, updatedAt,
            sourceDigest, sourceMapsTo)
        VALUES (?, ?, 'rejected', ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?)
        ON CONFLICT (system, externalId) DO UPDATE SET
            state = CASE WHEN referralId IS NULL THEN 'rejected' ELSE state END,
            pendingSince = CASE WHEN referralId IS NULL THEN NULL ELSE pendingSince END,
            payloadHash = CASE WHEN referralId IS NULL THEN excluded.payloadHash ELSE payloadHash END,
            lastError = excluded.lastError,
            sourceLocation = COALESCE(excluded.sourceLocation, sourceLocation),
            firstRunId = COALESCE(firstRunId, excluded.firstRunId),
            lastRunId = excluded.lastRunId,
            updatedAt = excluded.updatedAt,
            sourceMapsTo = CASE WHEN excluded.sourceDigest IS NULL THEN sourceMapsTo ELSE excluded.sourceMapsTo END,
            sourceDigest = COALESCE(excluded.sourceDigest, sourceDigest)
        """

    /// Refused records in one transaction and one prepared statement: a run over a million
    /// rejected records must not cost a million commits (nor a million query builds).
    public func recordRejected(system: String, rejects: [Reject], runId: Int64?, at date: Date) async throws {
        guard !rejects.isEmpty else { return }
        try await writer.write { db in
            let statement = try db.cachedStatement(sql: Self.rejectSQL)
            for reject in rejects {
                try statement.execute(arguments: [
                    system, reject.externalId, reject.payloadHash, String(reject.reason.prefix(Self.maxErrorLength)),
                    reject.sourceLocation, runId, runId, date, date, reject.sourceDigest, reject.sourceMapsTo,
                ])
            }
        }
    }

    /// The attempt failed. What is needed to reconcile (request id, pending since) is kept.
    public func recordFailed(system: String, externalId: String, error: String, runId: Int64?) async throws {
        try await upsert(system: system, externalId: externalId) { entry in
            if entry.referralId == nil { entry.state = .failed }
            entry.lastError = String(error.prefix(Self.maxErrorLength))
            entry.lastRunId = runId
        }
    }

    // MARK: runs

    public func startRun(mode: String, configDigest: String?) async throws -> Int64 {
        try await writer.write { db in
            var run = RunRecord(id: nil, mode: mode, configDigest: configDigest, startedAt: Date(), finishedAt: nil, exitCode: nil, aborted: false, countsJSON: nil)
            try run.insert(db)
            run.id = db.lastInsertedRowID
            return db.lastInsertedRowID
        }
    }

    /// Runs that started and never finished (killed, or the machine stopped), marked aborted now
    /// so that `ledger stats` and the next run's report say so.
    public func closeInterruptedRuns(before id: Int64) async throws -> [Int64] {
        try await writer.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM run WHERE finishedAt IS NULL AND id < ? ORDER BY id", arguments: [id])
            try db.execute(sql: "UPDATE run SET finishedAt = ?, aborted = 1 WHERE finishedAt IS NULL AND id < ?", arguments: [Date(), id])
            return ids
        }
    }

    public func finishRun(id: Int64, counts: RunCounts, exitCode: Int32, aborted: Bool) async throws {
        let json = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE run SET finishedAt = ?, exitCode = ?, aborted = ?, countsJSON = ? WHERE id = ?",
                arguments: [Date(), exitCode, aborted, json, id])
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension LedgerDatabase {
    /// Raw SQL, for tests that need a ledger as another tool (or a person) might leave it.
    func writeRawForTests(sql: String) async throws {
        try await writer.write { db in try db.execute(sql: sql) }
    }
}
