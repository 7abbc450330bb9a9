import Foundation
import Ledger
import PostgresNIO

/// The statements every record runs, prepared once per connection: a pending mark as one
/// statement is a CTE that PostgreSQL parsed and planned anew each time (0.9 ms of its CPU, against
/// 0.2 ms prepared, measured with pgbench on this machine), and with three workers on two cores
/// the database's CPU was what the workers waited for.
///
/// Parameters are numbered; the claim's length is written into the text (it is a constant).

/// `PostgresLedger.markPendingOnce`: see there for what each part does.
struct PendingMarkStatement: PostgresPreparedStatement {
    /// $1 checked (the worker is registered), $2 worker, $3 system, $4 externalId, $5 requestId,
    /// $6 date, $7 payloadHash, $8 sourceLocation, $9 runId.
    static let sql = """
        WITH reg AS (SELECT (NOT $1 OR EXISTS (SELECT 1 FROM worker WHERE "token" = $2)) AS ok),
        free AS (
            SELECT e."claimedBy", e."pendingSince" FROM entry e, reg
            WHERE reg.ok AND e."system" = $3 AND e."externalId" = $4 AND e."referralId" IS NULL
              AND NOT COALESCE(e."claimedUntil" > now() AND e."claimedBy" IS DISTINCT FROM $2, false)
            FOR UPDATE OF e),
        added AS (
            INSERT INTO entry AS e ("system", "externalId", "state", "requestId", "pendingSince", "payloadHash", "sourceLocation", "attempts",
                "firstRunId", "lastRunId", "needsConnected", "createdAt", "updatedAt", "claimedBy", "claimedUntil")
            SELECT $3, $4, 'pending', $5, $6, $7, $8, 1, $9, $9, false, $6, $6, $2, now() + \(PostgresLedger.claimInterval)
            FROM reg WHERE reg.ok
            ON CONFLICT DO NOTHING
            RETURNING \(PostgresLedger.entrySelection)),
        marked AS (
            UPDATE entry e SET "state" = 'pending', "requestId" = COALESCE(e."requestId", $5),
                "pendingSince" = COALESCE(e."pendingSince", $6), "payloadHash" = $7, "sourceLocation" = $8,
                "attempts" = e."attempts" + 1, "firstRunId" = COALESCE(e."firstRunId", $9), "lastRunId" = $9, "updatedAt" = $6,
                "claimedBy" = $2, "claimedUntil" = now() + \(PostgresLedger.claimInterval)
            FROM free WHERE e."system" = $3 AND e."externalId" = $4
            RETURNING \(PostgresLedger.entrySelection), free."claimedBy" AS "heldBy", free."pendingSince" AS "heldSince")
        SELECT 'marked', \(PostgresLedger.entrySelection(from: "m")),
            m."heldSince" IS NOT NULL AND m."heldBy" IS NOT NULL AND m."heldBy" <> $2, NULL::text, NULL::text, NULL::integer
        FROM marked m
        UNION ALL
        SELECT 'marked', \(PostgresLedger.entrySelection(from: "a")), false, NULL, NULL, NULL FROM added a
        UNION ALL
        SELECT CASE WHEN NOT reg.ok THEN 'lost' WHEN e."system" IS NULL THEN 'again'
                WHEN COALESCE(e."claimedUntil" > now() AND e."claimedBy" IS DISTINCT FROM $2, false) THEN 'claimed'
                WHEN e."referralId" IS NOT NULL THEN 'settled' ELSE 'again' END,
            \(PostgresLedger.entrySelection), false, e."claimedBy", w."host", w."pid"
        FROM reg LEFT JOIN entry e ON e."system" = $3 AND e."externalId" = $4
            LEFT JOIN worker w ON w."token" = e."claimedBy"
        WHERE NOT EXISTS (SELECT 1 FROM marked) AND NOT EXISTS (SELECT 1 FROM added)
        """
    static let bindingDataTypes: [PostgresDataType] = [.bool, .text, .text, .text, .text, .timestamptz, .text, .text, .int8]

    var checked: Bool
    var worker: String
    var system: String
    var externalId: String
    var requestId: String
    var date: Date
    var payloadHash: String?
    var sourceLocation: String?
    var runId: Int64?

    enum Found {
        case marked(LedgerEntry, takeover: Bool)
        case claimed(by: String?, host: String?, pid: Int32?)
        case settled(LedgerEntry)
        case lostRegistration
        /// Changed after the statement's snapshot: ask again.
        case changed
    }

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 9)
        binds.append(checked)
        binds.append(worker)
        binds.append(system)
        binds.append(externalId)
        binds.append(requestId)
        binds.append(date)
        binds.append(payloadHash)
        binds.append(sourceLocation)
        binds.append(runId)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Found {
        let cells = row.makeRandomAccess()
        // The kind, the entry's columns, then the takeover flag and the claim.
        let after = 1 + PostgresLedger.entryColumns.count
        switch try cells[0].decode(String.self) {
        case "marked": return .marked(try PostgresLedger.entry(row, from: 1), takeover: try cells[after].decode(Bool.self))
        case "claimed":
            return .claimed(by: try cells[after + 1].decode(String?.self), host: try cells[after + 2].decode(String?.self), pid: try cells[after + 3].decode(Int32?.self))
        case "settled": return .settled(try PostgresLedger.entry(row, from: 1))
        case "lost": return .lostRegistration
        default: return .changed
        }
    }
}

/// `PostgresLedger.markConnectedPending`: the connected step's claim, as `PendingMarkStatement`.
struct ConnectedMarkStatement: PostgresPreparedStatement {
    /// $1 checked, $2 worker, $3 system, $4 externalId, $5 requestId, $6 date.
    static let sql = """
        WITH reg AS (SELECT (NOT $1 OR EXISTS (SELECT 1 FROM worker WHERE "token" = $2)) AS ok),
        free AS (
            SELECT 1 FROM entry e, reg
            WHERE reg.ok AND e."system" = $3 AND e."externalId" = $4 AND e."connectedReferralId" IS NULL
              AND (e."claimedBy" IS NULL OR e."claimedBy" = $2
                   OR (NOT COALESCE(e."claimedUntil" > now(), false) AND e."connectedPendingSince" IS NULL))
            FOR UPDATE OF e),
        added AS (
            INSERT INTO entry AS e ("system", "externalId", "state", "attempts", "needsConnected", "createdAt", "updatedAt",
                "connectedRequestId", "connectedPendingSince", "claimedBy", "claimedUntil")
            SELECT $3, $4, 'pending', 0, false, $6, $6, $5, $6, $2, now() + \(PostgresLedger.claimInterval)
            FROM reg WHERE reg.ok
            ON CONFLICT DO NOTHING
            RETURNING 1),
        marked AS (
            UPDATE entry e SET "connectedRequestId" = COALESCE(e."connectedRequestId", $5),
                "connectedPendingSince" = COALESCE(e."connectedPendingSince", $6), "updatedAt" = $6,
                "claimedBy" = $2, "claimedUntil" = now() + \(PostgresLedger.claimInterval)
            FROM free WHERE e."system" = $3 AND e."externalId" = $4
            RETURNING 1)
        SELECT 'marked', NULL::text, NULL::text, NULL::integer FROM marked
        UNION ALL
        SELECT 'marked', NULL, NULL, NULL FROM added
        UNION ALL
        SELECT CASE WHEN NOT reg.ok THEN 'lost' WHEN e."system" IS NULL THEN 'again'
                WHEN COALESCE(e."claimedUntil" > now(), false) AND e."claimedBy" <> $2 THEN 'claimed'
                WHEN e."connectedReferralId" IS NOT NULL THEN 'settled'
                WHEN e."connectedPendingSince" IS NOT NULL AND e."claimedBy" <> $2 THEN 'leftPending'
                ELSE 'again' END,
            e."claimedBy", w."host", w."pid"
        FROM reg LEFT JOIN entry e ON e."system" = $3 AND e."externalId" = $4
            LEFT JOIN worker w ON w."token" = e."claimedBy"
        WHERE NOT EXISTS (SELECT 1 FROM marked) AND NOT EXISTS (SELECT 1 FROM added)
        """
    static let bindingDataTypes: [PostgresDataType] = [.bool, .text, .text, .text, .text, .timestamptz]

    var checked: Bool
    var worker: String
    var system: String
    var externalId: String
    var requestId: String
    var date: Date

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 6)
        binds.append(checked)
        binds.append(worker)
        binds.append(system)
        binds.append(externalId)
        binds.append(requestId)
        binds.append(date)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> (kind: String, claimedBy: String?, host: String?, pid: Int32?) {
        try row.decode((String, String?, String?, Int32?).self)
    }
}

/// `PostgresLedger.recordCreated`: the upsert that records a referral the server has.
///
/// Committed without waiting for its WAL flush (`synchronous_commit` off for this transaction
/// alone): with two flushes a record (the pending mark, then this), workers sharing the ledger
/// waited on `WALWrite` more than on anything else. Losing it costs nothing but a listing: only a
/// crash of the database server itself can lose an acknowledged asynchronous commit (within
/// `wal_writer_delay`), and then the record is pending again, its durable mark intact, and the
/// next run's reconciliation finds the referral by listing before anything is sent. The pending
/// mark, the gate before every POST, stays a synchronous commit.
struct RecordCreatedStatement: PostgresPreparedStatement {
    /// $1 system, $2 externalId, $3 referralId, $4 engagementId, $5 eTag, $6 status, $7 substatus,
    /// $8 payloadHash, $9 needsConnected, $10 runId, $11 now, $12 worker.
    static let sql = """
        WITH quick AS (SELECT set_config('synchronous_commit', 'off', true))
        INSERT INTO entry ("system", "externalId", "state", "referralId", "engagementId", "eTag", "status", "substatus", "payloadHash",
            "needsConnected", "firstRunId", "lastRunId", "attempts", "createdAt", "updatedAt")
        SELECT $1, $2, 'created', $3, $4, $5, $6, $7, $8, $9, $10, $10, 0, $11, $11 FROM quick
        ON CONFLICT ("system", "externalId") DO UPDATE SET
            "state" = 'created', "referralId" = excluded."referralId", "engagementId" = excluded."engagementId",
            "eTag" = excluded."eTag", "status" = excluded."status", "substatus" = excluded."substatus",
            "payloadHash" = COALESCE(excluded."payloadHash", entry."payloadHash"), "needsConnected" = excluded."needsConnected",
            "pendingSince" = NULL, "lastError" = NULL, "firstRunId" = COALESCE(entry."firstRunId", excluded."firstRunId"),
            "lastRunId" = excluded."lastRunId", "updatedAt" = excluded."updatedAt",
            "claimedUntil" = CASE WHEN excluded."needsConnected" THEN entry."claimedUntil" WHEN entry."claimedBy" = $12 THEN NULL ELSE entry."claimedUntil" END
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .text, .text, .text, .bool, .int8, .timestamptz, .text]

    var system: String
    var externalId: String
    var referralId: String
    var engagementId: String?
    var eTag: String?
    var status: String?
    var substatus: String?
    var payloadHash: String?
    var needsConnected: Bool
    var runId: Int64?
    var now: Date
    var worker: String

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 12)
        binds.append(system)
        binds.append(externalId)
        binds.append(referralId)
        binds.append(engagementId)
        binds.append(eTag)
        binds.append(status)
        binds.append(substatus)
        binds.append(payloadHash)
        binds.append(needsConnected)
        binds.append(runId)
        binds.append(now)
        binds.append(worker)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
