public import Foundation
public import Ledger
import PostgresNIO
import Synchronization

/// The ledger's writes, each one statement (an upsert) with the SQLite ledger's rules. A settled
/// record gives its claim back (`releaseClaim`): it is nobody's work any more.
extension PostgresLedger {
    /// Sets a claim's end to null when it is this worker's; another worker's claim stays as it is.
    var releaseClaim: String { #""claimedUntil" = CASE WHEN entry."claimedBy" = '\#(worker)' THEN NULL ELSE entry."claimedUntil" END"# }

    public func recordCreated(
        system: String, externalId: String, referralId: String, engagementId: String?, eTag: String?, status: String?,
        substatus: String?, payloadHash: String?, needsConnected: Bool, runId: Int64?
    ) async throws {
        // A shared referral goes on to its connected step in the same task: it keeps its claim.
        let statement = RecordCreatedStatement(
            system: system, externalId: externalId, referralId: referralId, engagementId: engagementId, eTag: eTag, status: status,
            substatus: substatus, payloadHash: payloadHash, needsConnected: needsConnected, runId: runId, now: Date(), worker: worker)
        for try await _ in try await client.execute(statement, logger: logger) {}
    }

    /// The connected step's claim in one statement, as `markPendingOnce`: the row is locked only
    /// when this worker may send the step, and otherwise read to say why not.
    public func markConnectedPending(system: String, externalId: String, requestId: String, at date: Date) async throws {
        for _ in 0..<Self.markAttempts {
            let statement = ConnectedMarkStatement(
                checked: registered.withLock { $0 }, worker: worker, system: system, externalId: externalId, requestId: requestId, date: date)
            // The whole answer is read before acting on it, so the connection goes back to the pool.
            var found: (kind: String, claimedBy: String?, host: String?, pid: Int32?)? = nil
            for try await row in try await client.execute(statement, logger: logger) { found = row }
            switch found?.kind {
            case "marked": return
            case "claimed": throw RecordClaimedElsewhere(reason: .liveClaim(holder: Self.holderName(found?.claimedBy ?? "", host: found?.host, pid: found?.pid)))
            case "settled": throw RecordClaimedElsewhere(reason: .settled)
            case "leftPending": throw RecordClaimedElsewhere(reason: .leftPending)
            case "lost": throw Self.lostRegistration
            default: continue
            }
        }
        throw PostgresLedgerError("the ledger entry \(system)/\(externalId) kept changing under this worker's connected mark: run again")
    }

    public func recordConnectedCreated(system: String, externalId: String, connectedReferralId: String, runId: Int64?) async throws {
        try await client.query(
            """
            UPDATE entry SET "connectedReferralId" = \(connectedReferralId), "connectedPendingSince" = NULL, "lastError" = NULL,
                "lastRunId" = \(runId), "updatedAt" = \(Date()), \(unescaped: releaseClaim)
            WHERE "system" = \(system) AND "externalId" = \(externalId)
            """, logger: logger)
    }

    public func recordUpdated(system: String, externalId: String, eTag: String?, status: String?, substatus: String?, payloadHash: String?, runId: Int64?) async throws {
        try await client.query(
            """
            UPDATE entry SET "state" = 'updated', "eTag" = \(eTag), "status" = \(status), "substatus" = \(substatus),
                "payloadHash" = COALESCE(\(payloadHash), "payloadHash"), "lastError" = NULL, "lastRunId" = \(runId),
                "updatedAt" = \(Date()), \(unescaped: releaseClaim)
            WHERE "system" = \(system) AND "externalId" = \(externalId)
            """, logger: logger)
    }

    /// `LedgerDatabase.rejectSQL` in this dialect, the rejects of a batch in one transaction.
    public func recordRejected(system: String, rejects: [LedgerDatabase.Reject], runId: Int64?, at date: Date) async throws {
        guard !rejects.isEmpty else { return }
        try await transaction { connection in
            for reject in rejects {
                let reason = String(reject.reason.prefix(LedgerDatabase.maxErrorLength))
                try await connection.query(
                    """
                    INSERT INTO entry ("system", "externalId", "state", "payloadHash", "lastError", "sourceLocation", "firstRunId", "lastRunId",
                        "attempts", "needsConnected", "createdAt", "updatedAt", "sourceDigest", "sourceMapsTo")
                    VALUES (\(system), \(reject.externalId), 'rejected', \(reject.payloadHash), \(reason), \(reject.sourceLocation), \(runId), \(runId), 0, false, \(date), \(date),
                        \(reject.sourceDigest), \(reject.sourceMapsTo))
                    ON CONFLICT ("system", "externalId") DO UPDATE SET
                        "state" = CASE WHEN entry."referralId" IS NULL THEN 'rejected' ELSE entry."state" END,
                        "pendingSince" = CASE WHEN entry."referralId" IS NULL THEN NULL ELSE entry."pendingSince" END,
                        "payloadHash" = CASE WHEN entry."referralId" IS NULL THEN excluded."payloadHash" ELSE entry."payloadHash" END,
                        "lastError" = excluded."lastError",
                        "sourceLocation" = COALESCE(excluded."sourceLocation", entry."sourceLocation"),
                        "firstRunId" = COALESCE(entry."firstRunId", excluded."firstRunId"),
                        "lastRunId" = excluded."lastRunId", "updatedAt" = excluded."updatedAt",
                        "sourceMapsTo" = CASE WHEN excluded."sourceDigest" IS NULL THEN entry."sourceMapsTo" ELSE excluded."sourceMapsTo" END,
                        "sourceDigest" = COALESCE(excluded."sourceDigest", entry."sourceDigest"), \(unescaped: releaseClaim)
                    """, logger: logger)
            }
        }
    }

    /// What is needed to reconcile (request id, pending since) is kept, and the claim given back:
    /// whoever meets the record next (the next run's reconciliation, or another worker, which
    /// then lists before sending) settles it.
    public func recordFailed(system: String, externalId: String, error: String, runId: Int64?) async throws {
        let now = Date()
        let message = String(error.prefix(LedgerDatabase.maxErrorLength))
        try await client.query(
            """
            INSERT INTO entry ("system", "externalId", "state", "lastError", "lastRunId", "attempts", "needsConnected", "createdAt", "updatedAt")
            VALUES (\(system), \(externalId), 'failed', \(message), \(runId), 0, false, \(now), \(now))
            ON CONFLICT ("system", "externalId") DO UPDATE SET
                "state" = CASE WHEN entry."referralId" IS NULL THEN 'failed' ELSE entry."state" END,
                "lastError" = excluded."lastError", "lastRunId" = excluded."lastRunId", "updatedAt" = excluded."updatedAt",
                \(unescaped: releaseClaim)
            """, logger: logger)
    }

    // MARK: runs

    public func startRun(mode: String, configDigest: String?) async throws -> Int64 {
        for try await id in try await client.query(
            "INSERT INTO run (\"mode\", \"configDigest\", \"startedAt\", \"aborted\") VALUES (\(mode), \(configDigest), \(Date()), false) RETURNING \"id\"",
            logger: logger
        ).decode(Int64.self) {
            return id
        }
        throw PostgresLedgerError("the ledger did not return the new run's id")
    }

    public func finishRun(id: Int64, counts: RunCounts, exitCode: Int32, aborted: Bool) async throws {
        let json = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
        try await client.query(
            "UPDATE run SET \"finishedAt\" = \(Date()), \"exitCode\" = \(exitCode), \"aborted\" = \(aborted), \"countsJSON\" = \(json) WHERE \"id\" = \(id)",
            logger: logger)
    }

    /// Runs that never finished and whose worker is gone (a live worker's run is still going).
    public func closeInterruptedRuns(before id: Int64) async throws -> [Int64] {
        var closed: [Int64] = []
        for try await run in try await client.query(
            """
            UPDATE run SET "finishedAt" = \(Date()), "aborted" = true
            WHERE "finishedAt" IS NULL AND "id" < \(id) AND "id" NOT IN (SELECT "runId" FROM worker WHERE "runId" IS NOT NULL)
            RETURNING "id"
            """, logger: logger
        ).decode(Int64.self) {
            closed.append(run)
        }
        return closed.sorted()
    }

    // MARK: migration

    /// A date to the microsecond the driver will send: it truncates, and a date read from SQLite
    /// (milliseconds) may sit a hair below its millisecond as a `Double`; half a microsecond up
    /// keeps 12:00:00.123 from arriving as 12:00:00.122999.
    static func exact(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000 + 0.000_000_5)
    }

    static func exact(_ date: Date?) -> Date? { date.map { exact($0) } }

    /// Multi-row inserts (at most 1,000 rows a statement: 22,000 parameters, under the 65,535 limit).
    public func importRows(entries: [LedgerEntry], runs: [RunRecord]) async throws {
        try await transaction { connection in
            for chunk in stride(from: 0, to: runs.count, by: 1000).map({ runs[$0..<min($0 + 1000, runs.count)] }) {
                var binds = PostgresBindings(capacity: chunk.count * 8)
                var rows: [String] = []
                for (index, run) in chunk.enumerated() {
                    let base = index * 8
                    rows.append("(" + (1...8).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                    binds.append(run.id)
                    binds.append(run.mode)
                    binds.append(run.configDigest)
                    binds.append(Self.exact(run.startedAt))
                    binds.append(Self.exact(run.finishedAt))
                    binds.append(run.exitCode)
                    binds.append(run.aborted)
                    binds.append(run.countsJSON)
                }
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO run (\(Self.runSelection)) VALUES " + rows.joined(separator: ", "), binds: binds), logger: logger)
            }
            if !runs.isEmpty {
                try await connection.query(#"SELECT setval(pg_get_serial_sequence('run', 'id'), (SELECT MAX("id") FROM run))"#, logger: logger)
            }
            let columns = Self.entryColumns.map { "\"\($0)\"" }.joined(separator: ", ")
            for chunk in stride(from: 0, to: entries.count, by: 1000).map({ entries[$0..<min($0 + 1000, entries.count)] }) {
                let width = Self.entryColumns.count
                var binds = PostgresBindings(capacity: chunk.count * width)
                var rows: [String] = []
                for (index, entry) in chunk.enumerated() {
                    let base = index * width
                    rows.append("(" + (1...width).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                    binds.append(entry.system)
                    binds.append(entry.externalId)
                    binds.append(entry.state.rawValue)
                    binds.append(entry.referralId)
                    binds.append(entry.engagementId)
                    binds.append(entry.needsConnected)
                    binds.append(entry.connectedReferralId)
                    binds.append(entry.connectedRequestId)
                    binds.append(Self.exact(entry.connectedPendingSince))
                    binds.append(entry.eTag)
                    binds.append(entry.status)
                    binds.append(entry.substatus)
                    binds.append(entry.payloadHash)
                    binds.append(entry.requestId)
                    binds.append(Self.exact(entry.pendingSince))
                    binds.append(entry.attempts)
                    binds.append(entry.lastError)
                    binds.append(entry.sourceLocation)
                    binds.append(entry.firstRunId)
                    binds.append(entry.lastRunId)
                    binds.append(Self.exact(entry.createdAt))
                    binds.append(Self.exact(entry.updatedAt))
                    binds.append(entry.sourceDigest)
                    binds.append(entry.sourceMapsTo)
                }
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO entry (\(columns)) VALUES " + rows.joined(separator: ", "), binds: binds), logger: logger)
            }
        }
    }
}
