import Logging
import PostgresNIO

/// The schema, as the SQLite ledger's migrations, same names, same order (`LedgerDatabase.migrator`),
/// written for PostgreSQL: `timestamptz` for dates, `boolean`, `bigint` ids. Column names keep
/// their SQLite spelling (quoted), so the two stores read alike and `ledger migrate` maps one to one.
/// Record keys sort bytewise (`COLLATE "C"`), as SQLite's do, so both stores page in one order.
extension PostgresLedger {
    static let migrations: [(name: String, statements: [String])] = [
        ("v1", [
            """
            CREATE TABLE entry (
                "system" text COLLATE "C" NOT NULL, "externalId" text COLLATE "C" NOT NULL, "state" text NOT NULL,
                "referralId" text, "engagementId" text, "needsConnected" boolean NOT NULL DEFAULT false,
                "connectedReferralId" text, "connectedRequestId" text, "connectedPendingSince" timestamptz,
                "eTag" text, "status" text, "substatus" text, "payloadHash" text, "requestId" text,
                "pendingSince" timestamptz, "attempts" bigint NOT NULL DEFAULT 0, "lastError" text,
                "sourceLocation" text, "firstRunId" bigint, "lastRunId" bigint,
                "createdAt" timestamptz NOT NULL, "updatedAt" timestamptz NOT NULL,
                PRIMARY KEY ("system", "externalId"))
            """,
            #"CREATE INDEX entry_referralId ON entry ("referralId")"#,
            #"CREATE INDEX entry_externalId ON entry ("externalId")"#,
            """
            CREATE TABLE run (
                "id" bigserial PRIMARY KEY, "mode" text NOT NULL, "configDigest" text,
                "startedAt" timestamptz NOT NULL, "finishedAt" timestamptz, "exitCode" integer,
                "aborted" boolean NOT NULL DEFAULT false, "countsJSON" text)
            """,
        ]),
        // The single-host lease's table: kept for one schema; a shared ledger uses `worker` (v4).
        ("v2-lease", [
            """
            CREATE TABLE lease (
                "id" integer PRIMARY KEY CHECK ("id" = 1), "token" text NOT NULL, "runId" bigint,
                "host" text NOT NULL, "pid" integer NOT NULL, "startedAt" timestamptz NOT NULL,
                "heartbeatAt" timestamptz NOT NULL)
            """,
        ]),
        ("v3-pull", [
            """
            CREATE TABLE "remoteReferral" (
                "referralId" text PRIMARY KEY, "direction" text, "system" text, "externalId" text,
                "status" text, "substatus" text, "statusReason" text, "eTag" text,
                "updatedDateTime" text NOT NULL, "engagementId" text, "json" text,
                "firstRunId" bigint, "lastRunId" bigint)
            """,
            #"CREATE INDEX "remoteReferral_direction" ON "remoteReferral" ("direction")"#,
            """
            CREATE TABLE history (
                "id" bigserial PRIMARY KEY, "referralId" text NOT NULL, "system" text, "externalId" text,
                "fromStatus" text, "fromSubstatus" text, "toStatus" text, "toSubstatus" text,
                "statusReason" text, "eTag" text, "updatedDateTime" text NOT NULL, "runId" bigint,
                "recordedAt" timestamptz NOT NULL, UNIQUE ("referralId", "updatedDateTime"))
            """,
            #"CREATE INDEX "history_externalId" ON history ("externalId")"#,
            """
            CREATE TABLE "pullState" ("id" integer PRIMARY KEY CHECK ("id" = 1), "highWaterMark" text, "filterRefusedAt" timestamptz)
            """,
            """
            CREATE TABLE "writebackBatch" (
                "id" bigserial PRIMARY KEY, "kind" text NOT NULL, "system" text NOT NULL, "format" text NOT NULL,
                "columnsJSON" text NOT NULL, "optionsJSON" text, "runId" bigint, "createdAt" timestamptz NOT NULL,
                "written" boolean NOT NULL DEFAULT false, "files" text)
            """,
            """
            CREATE TABLE "writebackRow" (
                "batchId" bigint NOT NULL REFERENCES "writebackBatch" ("id") ON DELETE CASCADE,
                "position" bigint NOT NULL, "key" text NOT NULL, "valuesJSON" text NOT NULL,
                PRIMARY KEY ("batchId", "position"))
            """,
            """
            CREATE TABLE "writebackState" (
                "system" text NOT NULL, "externalId" text NOT NULL, "valuesJSON" text NOT NULL,
                "batchId" bigint NOT NULL, PRIMARY KEY ("system", "externalId"))
            """,
            #"CREATE TABLE "incomingLead" ("referralId" text PRIMARY KEY, "system" text NOT NULL, "batchId" bigint NOT NULL)"#,
        ]),
        // Per-record claims, and the workers that hold them (issue #14).
        ("v4-claims", [
            #"ALTER TABLE entry ADD COLUMN "claimedBy" text, ADD COLUMN "claimedUntil" timestamptz"#,
            // Only live claims are indexed: the heartbeat renews them, a takeover finds them.
            #"CREATE INDEX "entry_claimedBy" ON entry ("claimedBy") WHERE "claimedUntil" IS NOT NULL"#,
            """
            CREATE TABLE worker (
                "token" text PRIMARY KEY, "host" text NOT NULL, "pid" integer NOT NULL, "runId" bigint,
                "startedAt" timestamptz NOT NULL, "heartbeatAt" timestamptz NOT NULL)
            """,
        ]),
        // The write-back pass's change counter (issue #9, `LedgerDatabase+ChangeMark`). The write-back
        // files run on a SQLite ledger only for now, so there is nothing to count here; the name keeps
        // both stores' migrations one list, in one order.
        ("v5-change-mark", []),
        // Issues #9/#16: what a record's source content mapped to (`LedgerDatabase+SourceDigest`).
        ("v6-source-digest", [#"ALTER TABLE entry ADD COLUMN "sourceDigest" text, ADD COLUMN "sourceMapsTo" text"#]),
        // Issue #16: the unresolved entries alone, which every run reads first (`unresolvedCondition`,
        // without its alias).
        ("v7-unresolved-index", [
            """
            CREATE INDEX "entry_unresolved" ON entry ("system")
            WHERE (("referralId" IS NULL AND "pendingSince" IS NOT NULL AND "state" != 'rejected')
               OR ("referralId" IS NOT NULL AND "needsConnected" AND "connectedReferralId" IS NULL))
            """
        ]),
    ]

    /// Applies the migrations not applied yet, in order, in one transaction under an advisory lock:
    /// several workers starting at once migrate once.
    func migrate() async throws {
        try await transaction { connection in
            // Any constant will do: it names "the refbridge schema" to every worker.
            try await connection.query("SELECT pg_advisory_xact_lock(7262011414)", logger: logger)
            try await connection.query(#"CREATE TABLE IF NOT EXISTS ledger_migrations ("identifier" text PRIMARY KEY, "appliedAt" timestamptz NOT NULL DEFAULT now())"#, logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query(#"SELECT "identifier" FROM ledger_migrations"#, logger: logger).decode(String.self) {
                applied.insert(name)
            }
            let known = Set(Self.migrations.map(\.name))
            if let unknown = applied.subtracting(known).sorted().first {
                throw PostgresLedgerError("the ledger has migration \(unknown), from a newer refbridge: upgrade refbridge on this host")
            }
            for migration in Self.migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO ledger_migrations (\"identifier\") VALUES (\(migration.name))", logger: logger)
            }
        }
    }
}
