import Foundation
import GRDB
import Synchronization

/// The mapping ledger: which Partner Center referral each CRM record became, and where every
/// create stands. SQLite in WAL mode, `synchronous = FULL` (a `pending` row must be on disk before
/// its POST), schema by named migrations.
public final class LedgerDatabase: Sendable {
    let writer: any DatabaseWriter
    /// The token of the lease this process holds on the ledger, if any (see `LedgerDatabase+Lease`).
    let heldLease = Mutex<String?>(nil)
    /// Whether the planning lookups read the ledger in runs of rows (see `LedgerDatabase+Planning`).
    let planningRuns = Mutex(PlanningRuns())
    /// The file, for messages (`:memory:` for tests).
    public let location: String

    init(_ writer: any DatabaseWriter, location: String = ":memory:") throws {
        self.writer = writer
        self.location = location
        try Self.migrator.migrate(writer)
    }

    /// Opens (or creates, 0600 in a 0700 folder) the ledger at `path`.
    public static func open(path: String) throws -> LedgerDatabase {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            // Created empty with 0600 first, so nothing is ever readable by others.
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw LedgerError("cannot create the ledger file \(path): check that its folder is writable")
                }
            }
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path + suffix)
            }
            return try LedgerDatabase(pool, location: path)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError("cannot open the ledger \(path): \(error). If it is not a refbridge ledger, point `ledger:` elsewhere")
        }
    }

    /// Opens an existing ledger without writing to it (for dry runs).
    public static func open(path: String, readOnly: Bool) throws -> LedgerDatabase {
        guard readOnly else { return try open(path: path) }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try LedgerDatabase(readOnlyQueue: queue, location: path)
    }

    private init(readOnlyQueue: DatabaseQueue, location: String) throws {
        writer = readOnlyQueue
        self.location = location
        // A read-only ledger of an older schema is still readable by the current queries only if
        // migrated; refuse rather than guess.
        let applied = try readOnlyQueue.read { db in try Self.migrator.appliedMigrations(db) }
        guard Set(applied) == Set(Self.migrator.migrations) else {
            throw LedgerError("the ledger was written by another refbridge version: run a normal sync once to migrate it")
        }
    }

    /// An in-memory ledger, for tests.
    public static func inMemory() throws -> LedgerDatabase {
        try LedgerDatabase(DatabaseQueue())
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "entry") { t in
                t.column("system", .text).notNull()
                t.column("externalId", .text).notNull()
                t.column("state", .text).notNull()
                t.column("referralId", .text)
                t.column("engagementId", .text)
                t.column("needsConnected", .boolean).notNull().defaults(to: false)
                t.column("connectedReferralId", .text)
                t.column("connectedRequestId", .text)
                t.column("connectedPendingSince", .datetime)
                t.column("eTag", .text)
                t.column("status", .text)
                t.column("substatus", .text)
                t.column("payloadHash", .text)
                t.column("requestId", .text)
                t.column("pendingSince", .datetime)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("lastError", .text)
                t.column("sourceLocation", .text)
                t.column("firstRunId", .integer)
                t.column("lastRunId", .integer)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.primaryKey(["system", "externalId"])
            }
            try db.create(index: "entry_referralId", on: "entry", columns: ["referralId"])
            try db.create(index: "entry_externalId", on: "entry", columns: ["externalId"])
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("mode", .text).notNull()
                t.column("configDigest", .text)
                t.column("startedAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
                t.column("exitCode", .integer)
                t.column("aborted", .boolean).notNull().defaults(to: false)
                t.column("countsJSON", .text)
            }
        }
        migrator.registerMigration("v2-lease") { db in
            // At most one row: the run that may write to this ledger now.
            try db.create(table: "lease") { t in
                t.column("id", .integer).primaryKey().check { $0 == 1 }
                t.column("token", .text).notNull()
                t.column("runId", .integer)
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("heartbeatAt", .datetime).notNull()
            }
        }
        // Appended by issue #13 (pull, history, write-back); see LedgerDatabase+History.swift.
        migrator.registerMigration("v3-pull", migrate: Self.migratePull)
        // Issue #14: the per-record claim of a shared (PostgreSQL) ledger. SQLite has one writer
        // (the lease) and leaves them empty; the column is here so both stores have one schema,
        // migrated in the same order (`PostgresLedger.migrations`).
        migrator.registerMigration("v4-claims") { db in
            try db.alter(table: "entry") { t in
                t.add(column: "claimedBy", .text)
                t.add(column: "claimedUntil", .datetime)
            }
        }
        // Issue #9: a change counter, so a write-back pass over unchanged records is skipped.
        migrator.registerMigration("v5-change-mark", migrate: Self.migrateChangeMark)
        // Issues #9/#16: what a record's source content mapped to, so an unchanged record is not
        // mapped again (`LedgerDatabase+SourceDigest`).
        migrator.registerMigration("v6-source-digest") { db in
            try db.alter(table: "entry") { t in
                t.add(column: "sourceDigest", .text)
                t.add(column: "sourceMapsTo", .text)
            }
        }
        // Issue #16: every run starts by reading the unresolved entries (`unresolved`); an index of
        // those alone spares it a scan of every entry (0.15-0.3 s of a 500k-record nightly re-run,
        // on one core, before the first record is read).
        migrator.registerMigration("v7-unresolved-index") { db in
            try db.execute(sql: "CREATE INDEX entry_unresolved ON entry(system) WHERE \(Self.unresolvedCondition)")
        }
        return migrator
    }
}

/// A ledger problem, said so that the user can act on it.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
