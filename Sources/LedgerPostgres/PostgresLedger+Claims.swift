#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation
public import Ledger
import PostgresNIO
import Synchronization

/// Exactly-once across hosts: workers and per-record claims.
///
/// - A run registers as a worker (`hold()`) and renews its heartbeat and all its claims every
///   `heartbeat` seconds (`keepHolding()`).
/// - A create is claimed at its `pending` mark, in the mark's transaction, under the row's lock
///   (`SELECT … FOR UPDATE`): a record whose live claim is another worker's is that worker's share
///   and is skipped; one settled since it was planned is left alone.
/// - A claim lives `claimTimeout` seconds past its last renewal, by the database's clock (hosts'
///   clocks may differ; the server's is the one every worker reads). A dead worker's claims run
///   out; on its own host, a new run sees at once that its pid is gone.
/// - A record left pending by another worker (dead mid-POST, or whose answer was lost) is taken
///   over: the mark says `.takenOver`, and the taker lists the API for it before any new POST.
/// - A worker whose registration was removed (declared dead after a stall) sends nothing more:
///   every mark checks it, as every SQLite mark checks the lease.
extension PostgresLedger {
    static let claimInterval = "interval '\(Int(claimTimeout)) seconds'"

    public func hold() async throws {
        try await transaction { connection in
            var dead: [String] = []
            for try await (token, host, pid, expired) in try await connection.query(
                "SELECT \"token\", \"host\", \"pid\", \"heartbeatAt\" < now() - \(unescaped: Self.claimInterval) FROM worker FOR UPDATE", logger: logger
            ).decode((String, String, Int32, Bool).self) {
                if expired || (host == Self.hostName && !Self.processExists(pid)) { dead.append(token) }
            }
            if !dead.isEmpty {
                // The dead workers' live claims become this worker's, in the same transaction: its
                // start-of-run reconciliation lists them all at once. Released instead, every other
                // worker meeting one would take it over alone and list the API for it alone.
                try await connection.query(
                    #"UPDATE entry SET "claimedBy" = \#(worker), "claimedUntil" = now() + \#(unescaped: Self.claimInterval) WHERE "claimedBy" = ANY(\#(dead)) AND "claimedUntil" IS NOT NULL"#,
                    logger: logger)
                try await connection.query(#"DELETE FROM worker WHERE "token" = ANY(\#(dead))"#, logger: logger)
            }
            try await connection.query(
                """
                INSERT INTO worker ("token", "host", "pid", "startedAt", "heartbeatAt")
                VALUES (\(worker), \(Self.hostName), \(Int32(getpid())), now(), now())
                """, logger: logger)
        }
        registered.withLock { $0 = true }
    }

    public func setLeaseRun(_ runId: Int64) async throws {
        try await client.query(#"UPDATE worker SET "runId" = \#(runId) WHERE "token" = \#(worker)"#, logger: logger)
    }

    public func keepHolding() async throws -> Bool {
        guard registered.withLock({ $0 }) else { return false }
        var alive = false
        for try await _ in try await client.query(#"UPDATE worker SET "heartbeatAt" = now() WHERE "token" = \#(worker) RETURNING 1"#, logger: logger).decode(Int.self) {
            alive = true
        }
        guard alive else {
            registered.withLock { $0 = false }
            return false
        }
        try await client.query(
            #"UPDATE entry SET "claimedUntil" = now() + \#(unescaped: Self.claimInterval) WHERE "claimedBy" = \#(worker) AND "claimedUntil" IS NOT NULL"#,
            logger: logger)
        return true
    }

    /// This worker's place among the workers whose heartbeat is live, ordered by token: every
    /// worker reads the same list, so their shares cover the records once each. Nil when alone, or
    /// when this worker is not registered.
    public func workShare() async throws -> WorkShare? {
        guard registered.withLock({ $0 }) else { return nil }
        var tokens: [String] = []
        for try await token in try await client.query(
            #"SELECT "token" FROM worker WHERE "heartbeatAt" >= now() - \#(unescaped: Self.claimInterval) ORDER BY "token""#, logger: logger
        ).decode(String.self) {
            tokens.append(token)
        }
        guard let index = tokens.firstIndex(of: worker) else { return nil }
        return WorkShare(index: index, count: tokens.count)
    }

    public func releaseLease() async throws {
        guard registered.withLock({ $0 }) else { return }
        try await transaction { connection in
            try await connection.query(#"UPDATE entry SET "claimedUntil" = NULL WHERE "claimedBy" = \#(worker) AND "claimedUntil" IS NOT NULL"#, logger: logger)
            try await connection.query(#"DELETE FROM worker WHERE "token" = \#(worker)"#, logger: logger)
        }
        registered.withLock { $0 = false }
    }

    /// What a mark throws when this worker was registered and another run has since removed it (it
    /// stalled past the claim time and was taken for dead): it must send nothing more.
    static let lostRegistration = PostgresLedgerError(
        "this run lost its place on the shared ledger (it stalled longer than \(Int(claimTimeout)) s and another worker took its records over): it stops sending; the other workers finish the work")

    static func holderName(_ token: String, host: String?, pid: Int32?) -> String {
        guard let host, let pid else { return "worker \(token)" }
        return "the worker on \(host) pid \(pid)"
    }

    /// A pending mark reads its row again this many times when another worker changed it between
    /// the statement's snapshot and its lock; each time is one statement.
    static let markAttempts = 8

    public func markPending(system: String, externalId: String, requestId: String, payloadHash: String?, sourceLocation: String?, runId: Int64?, at date: Date) async throws -> PendingMark {
        for _ in 0..<Self.markAttempts {
            if let mark = try await markPendingOnce(system: system, externalId: externalId, requestId: requestId, payloadHash: payloadHash, sourceLocation: sourceLocation, runId: runId, at: date) {
                return mark
            }
        }
        throw PostgresLedgerError("the ledger entry \(system)/\(externalId) kept changing under this worker's pending mark: run again")
    }

    /// The pending mark in one statement (one round trip, no transaction around it):
    /// - `reg`: this worker is still registered (a worker declared dead sends nothing more);
    /// - `free`: the row, locked (`FOR UPDATE`), only when no other worker's live claim is on it
    ///   and it has no referral: a record that is another worker's share is read, never locked or
    ///   written, so meeting it costs the database no write and no WAL flush;
    /// - `added`: a record never seen, inserted already marked and claimed;
    /// - `marked`: the free row marked and claimed, with what it held before (`takeover`);
    /// - otherwise the row as this statement saw it says why not: a live claim, a referral, or it
    ///   changed after the snapshot (nil: the caller asks again).
    func markPendingOnce(system: String, externalId: String, requestId: String, payloadHash: String?, sourceLocation: String?, runId: Int64?, at date: Date) async throws -> PendingMark? {
        let statement = PendingMarkStatement(
            checked: registered.withLock { $0 }, worker: worker, system: system, externalId: externalId, requestId: requestId, date: date,
            payloadHash: payloadHash, sourceLocation: sourceLocation, runId: runId)
        // The whole answer is read before acting on it, so the connection goes back to the pool.
        var found: PendingMarkStatement.Found? = nil
        for try await row in try await client.execute(statement, logger: logger) { found = row }
        switch found {
        case .marked(let entry, let takeover)?: return takeover ? .takenOver(entry) : .marked(requestId: entry.requestId ?? requestId)
        case .claimed(let claimedBy, let host, let pid)?: return .claimedElsewhere(by: Self.holderName(claimedBy ?? "", host: host, pid: pid))
        case .settled(let entry)?: return .settledElsewhere(entry)
        case .lostRegistration?: throw Self.lostRegistration
        case .changed?, nil: return nil
        }
    }

    /// Unresolved creates no live worker is on, claimed for this worker in the same statement: the
    /// start-of-run reconciliation lists them once, and the main pass then sends the missing ones
    /// as this worker's own (no second listing). Rows another worker is marking at this moment are
    /// skipped (`SKIP LOCKED`): they are being claimed, and two workers starting together never
    /// wait on each other's rows.
    public func unresolved(system: String?) async throws -> [LedgerEntry] {
        let systemClause = system == nil ? "" : #" AND e."system" = $2"#
        var binds = PostgresBindings()
        binds.append(worker)
        if let system { binds.append(system) }
        let found = try await entries(
            PostgresQuery(
                unsafeSQL: """
                    WITH free AS (
                        SELECT e."system", e."externalId" FROM entry e
                        WHERE \(Self.unresolvedCondition)
                          AND (e."claimedUntil" IS NULL OR e."claimedUntil" < now() OR e."claimedBy" = $1)\(systemClause)
                        FOR UPDATE SKIP LOCKED)
                    UPDATE entry e SET "claimedBy" = $1, "claimedUntil" = now() + \(Self.claimInterval)
                    FROM free WHERE e."system" = free."system" AND e."externalId" = free."externalId"
                    RETURNING \(Self.entrySelection)
                    """, binds: binds))
        return found.sorted { ($0.pendingSince ?? $0.connectedPendingSince ?? .distantPast) < ($1.pendingSince ?? $1.connectedPendingSince ?? .distantPast) }
    }

    static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
