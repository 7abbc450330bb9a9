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

    public func releaseLease() async throws {
        guard registered.withLock({ $0 }) else { return }
        try await transaction { connection in
            try await connection.query(#"UPDATE entry SET "claimedUntil" = NULL WHERE "claimedBy" = \#(worker) AND "claimedUntil" IS NOT NULL"#, logger: logger)
            try await connection.query(#"DELETE FROM worker WHERE "token" = \#(worker)"#, logger: logger)
        }
        registered.withLock { $0 = false }
    }

    /// Inside a mark: throws when this worker was registered and another run has since removed it
    /// (it stalled past the claim time and was taken for dead): it must send nothing more.
    func checkRegistered(_ connection: PostgresConnection) async throws {
        guard registered.withLock({ $0 }) else { return }
        var alive = false
        for try await _ in try await connection.query(#"SELECT 1 FROM worker WHERE "token" = \#(worker)"#, logger: logger).decode(Int.self) { alive = true }
        guard alive else {
            throw PostgresLedgerError("this run lost its place on the shared ledger (it stalled longer than \(Int(Self.claimTimeout)) s and another worker took its records over): it stops sending; the other workers finish the work")
        }
    }

    static func holderName(_ token: String, host: String?, pid: Int32?) -> String {
        guard let host, let pid else { return "worker \(token)" }
        return "the worker on \(host) pid \(pid)"
    }

    public func markPending(system: String, externalId: String, requestId: String, payloadHash: String?, sourceLocation: String?, runId: Int64?, at date: Date) async throws -> PendingMark {
        try await transaction { connection in
            try await checkRegistered(connection)
            try await connection.query(
                """
                INSERT INTO entry ("system", "externalId", "state", "attempts", "needsConnected", "createdAt", "updatedAt")
                VALUES (\(system), \(externalId), 'pending', 0, false, \(date), \(date)) ON CONFLICT DO NOTHING
                """, logger: logger)
            var current: (entry: LedgerEntry, claimedBy: String?, live: Bool, holder: String)? = nil
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: Self.entrySelection), e."claimedBy", COALESCE(e."claimedUntil" > now(), false), w."host", w."pid"
                FROM entry e LEFT JOIN worker w ON w."token" = e."claimedBy"
                WHERE e."system" = \(system) AND e."externalId" = \(externalId) FOR UPDATE OF e
                """, logger: logger
            ) {
                let cells = row.makeRandomAccess()
                // The claim's columns come after the entry's.
                let claim = Self.entryColumns.count
                let claimedBy = try cells[claim].decode(String?.self)
                current = (
                    try Self.entry(row), claimedBy, try cells[claim + 1].decode(Bool.self),
                    Self.holderName(claimedBy ?? "", host: try cells[claim + 2].decode(String?.self), pid: try cells[claim + 3].decode(Int32?.self))
                )
            }
            guard let current else { throw PostgresLedgerError("the ledger lost the entry \(system)/\(externalId) while marking it pending: run again") }
            if current.live, current.claimedBy != worker { return .claimedElsewhere(by: current.holder) }
            if current.entry.referralId != nil { return .settledElsewhere(current.entry) }
            // Left pending by another worker: its POST may have reached the API.
            let takeover = current.entry.pendingSince != nil && current.claimedBy != nil && current.claimedBy != worker
            var marked: LedgerEntry? = nil
            for try await row in try await connection.query(
                """
                UPDATE entry e SET "state" = 'pending', "requestId" = COALESCE(e."requestId", \(requestId)),
                    "pendingSince" = COALESCE(e."pendingSince", \(date)), "payloadHash" = \(payloadHash), "sourceLocation" = \(sourceLocation),
                    "attempts" = e."attempts" + 1, "firstRunId" = COALESCE(e."firstRunId", \(runId)), "lastRunId" = \(runId), "updatedAt" = \(date),
                    "claimedBy" = \(worker), "claimedUntil" = now() + \(unescaped: Self.claimInterval)
                WHERE e."system" = \(system) AND e."externalId" = \(externalId)
                RETURNING \(unescaped: Self.entrySelection)
                """, logger: logger
            ) {
                marked = try Self.entry(row)
            }
            guard let marked else { throw PostgresLedgerError("the ledger lost the entry \(system)/\(externalId) while marking it pending: run again") }
            return takeover ? .takenOver(marked) : .marked(requestId: marked.requestId ?? requestId)
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
