public import Foundation
import GRDB

/// What `refbridge pull` saw of one referral on a list page.
public struct RemoteObservation: Sendable, Hashable {
    public var referralId: String
    /// `Incoming` or `Outgoing` (or whatever the API said; nil when it said nothing).
    public var direction: String?
    public var status: String?
    public var substatus: String?
    public var statusReason: String?
    public var eTag: String?
    /// The server's text, kept as written (it is the history's key and the high-water mark).
    public var updatedDateTime: String
    public var engagementId: String?
    /// The whole referral as JSON, kept for incoming referrals only (the leads file is made from it).
    public var json: String?

    public init(
        referralId: String, direction: String?, status: String?, substatus: String?, statusReason: String?, eTag: String?,
        updatedDateTime: String, engagementId: String?, json: String?
    ) {
        self.referralId = referralId
        self.direction = direction
        self.status = status
        self.substatus = substatus
        self.statusReason = statusReason
        self.eTag = eTag
        self.updatedDateTime = updatedDateTime
        self.engagementId = engagementId
        self.json = json
    }
}

/// One status move of a referral, as a pull recorded it.
public struct HistoryRow: Sendable, Hashable, Codable {
    public var referralId: String
    public var system: String?
    public var externalId: String?
    public var fromStatus: String?
    public var fromSubstatus: String?
    public var toStatus: String?
    public var toSubstatus: String?
    public var statusReason: String?
    public var eTag: String?
    public var updatedDateTime: String
    /// The pull (a run of mode `pull`) that saw it.
    public var runId: Int64?
    public var recordedAt: Date

    /// `Active/Accepted → Closed/Won`.
    public var move: String {
        let from = fromStatus.map { "\($0)/\(fromSubstatus ?? "-")" } ?? "(new)"
        return "\(from) → \(toStatus ?? "-")/\(toSubstatus ?? "-")"
    }
}

/// Where the last complete pull stopped, and what the API told us about its filter.
public struct PullState: Sendable, Hashable {
    /// The newest `updatedDateTime` a complete pull saw (server text). Nil before the first pull.
    public var highWaterMark: String?
    /// When the API answered 400 to the `updatedDateTime` filter (pulls then list without it).
    public var filterRefusedAt: Date?
}

/// What one list page changed in the ledger.
public struct PullPageResult: Sendable, Hashable {
    /// History rows written (status moves, and incoming referrals seen for the first time).
    public var changes = 0
    /// Incoming referrals seen for the first time.
    public var newIncoming = 0
    /// Referrals whose stored state (eTag, time) moved on without a status move.
    public var refreshed = 0
}

/// The pull side of the ledger (issue #13): each referral's last known state on Partner Center,
/// the history of its status moves and the pull's high-water mark.
///
/// Exactly-once rests on two things. A page is recorded in one transaction, so a `kill -9`
/// leaves either all of it or none. And a move is recorded only against the last known state
/// (`remoteReferral`), so seeing the same referral again — the next pull re-reading a page an
/// interrupted pull had committed, or a referral met twice while it moves between pages — finds
/// nothing new. `history` is also unique on (referralId, updatedDateTime) as a second guard.
///
/// The high-water mark is written only with a pull's last page: pages come newest first, so a mark
/// set after page 1 of an interrupted pull would hide the older pages it never reached.
extension LedgerDatabase {
    static func migratePull(_ db: Database) throws {
        try db.create(table: "remoteReferral") { t in
            t.column("referralId", .text).primaryKey()
            t.column("direction", .text)
            t.column("system", .text)
            t.column("externalId", .text)
            t.column("status", .text)
            t.column("substatus", .text)
            t.column("statusReason", .text)
            t.column("eTag", .text)
            t.column("updatedDateTime", .text).notNull()
            t.column("engagementId", .text)
            t.column("json", .text)
            t.column("firstRunId", .integer)
            t.column("lastRunId", .integer)
        }
        try db.create(index: "remoteReferral_direction", on: "remoteReferral", columns: ["direction"])
        try db.create(table: "history") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("referralId", .text).notNull()
            t.column("system", .text)
            t.column("externalId", .text)
            t.column("fromStatus", .text)
            t.column("fromSubstatus", .text)
            t.column("toStatus", .text)
            t.column("toSubstatus", .text)
            t.column("statusReason", .text)
            t.column("eTag", .text)
            t.column("updatedDateTime", .text).notNull()
            t.column("runId", .integer)
            t.column("recordedAt", .datetime).notNull()
            t.uniqueKey(["referralId", "updatedDateTime"])
        }
        try db.create(index: "history_externalId", on: "history", columns: ["externalId"])
        try db.create(table: "pullState") { t in
            t.column("id", .integer).primaryKey().check { $0 == 1 }
            t.column("highWaterMark", .text)
            t.column("filterRefusedAt", .datetime)
        }
        // Write-back batches: one file's rows, kept so that a file lost to a crash is written again
        // exactly as it was (see LedgerDatabase+Writeback.swift).
        try db.create(table: "writebackBatch") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("kind", .text).notNull()
            t.column("system", .text).notNull()
            t.column("format", .text).notNull()
            t.column("columnsJSON", .text).notNull()
            t.column("optionsJSON", .text)
            t.column("runId", .integer)
            t.column("createdAt", .datetime).notNull()
            t.column("written", .boolean).notNull().defaults(to: false)
            t.column("files", .text)
        }
        try db.create(table: "writebackRow") { t in
            t.column("batchId", .integer).notNull().references("writebackBatch", onDelete: .cascade)
            t.column("position", .integer).notNull()
            t.column("key", .text).notNull()
            t.column("valuesJSON", .text).notNull()
            t.primaryKey(["batchId", "position"])
        }
        // What was last written back for each record: the values (syncedOn aside), compared exactly.
        try db.create(table: "writebackState") { t in
            t.column("system", .text).notNull()
            t.column("externalId", .text).notNull()
            t.column("valuesJSON", .text).notNull()
            t.column("batchId", .integer).notNull()
            t.primaryKey(["system", "externalId"])
        }
        // Incoming referrals already written to a leads file: never twice.
        try db.create(table: "incomingLead") { t in
            t.column("referralId", .text).primaryKey()
            t.column("system", .text).notNull()
            t.column("batchId", .integer).notNull()
        }
    }

    public func pullState() async throws -> PullState {
        try await writer.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT highWaterMark, filterRefusedAt FROM pullState WHERE id = 1")
            return PullState(highWaterMark: row?["highWaterMark"], filterRefusedAt: row?["filterRefusedAt"])
        }
    }

    /// The API answered 400 to the `updatedDateTime` filter: later pulls list without it for a while.
    public func setFilterRefused(at date: Date?) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO pullState (id, filterRefusedAt) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET filterRefusedAt = excluded.filterRefusedAt",
                arguments: [date])
        }
    }

    /// Records one list page in one transaction; with `highWaterMark`, also sets the mark (the last
    /// page of a complete pull). Throws if this process lost the lease.
    public func recordPullPage(_ observations: [RemoteObservation], runId: Int64?, highWaterMark: String?, at date: Date = Date()) async throws -> PullPageResult {
        try await writer.write { db in
            try self.checkLease(db)
            var result = PullPageResult()
            for observation in observations {
                try Self.record(observation, runId: runId, at: date, db: db, result: &result)
            }
            if let highWaterMark {
                try db.execute(
                    sql: "INSERT INTO pullState (id, highWaterMark) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET highWaterMark = excluded.highWaterMark",
                    arguments: [highWaterMark])
            }
            return result
        }
    }

    private static func record(_ seen: RemoteObservation, runId: Int64?, at date: Date, db: Database, result: inout PullPageResult) throws {
        // Cached statements: prepared once per connection, not once per referral of every page.
        let known = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT status, substatus, eTag, updatedDateTime, system, externalId FROM remoteReferral WHERE referralId = ?"),
            arguments: [seen.referralId])
        if let known, known["eTag"] as String? == seen.eTag, known["updatedDateTime"] as String? == seen.updatedDateTime { return }
        // The CRM record this referral was made from (the primary one; a connected referral for
        // Microsoft is recorded but belongs to no write-back row).
        let entry = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT system, externalId, status, substatus FROM entry WHERE referralId = ? LIMIT 1"), arguments: [seen.referralId])
        let system: String? = known?["system"] ?? entry?["system"]
        let externalId: String? = known?["externalId"] ?? entry?["externalId"]
        let isIncoming = seen.direction?.caseInsensitiveCompare("Incoming") == .orderedSame
        // The state this sighting is compared with: what the last pull saw, else what the create
        // answered. A referral met for the first time with neither is a baseline, not a move —
        // except an incoming one, whose arrival is its first move.
        var from: (status: String?, substatus: String?)?
        if let known {
            from = (known["status"], known["substatus"])
        } else if let entry {
            from = (entry["status"], entry["substatus"])
        } else if isIncoming {
            from = (nil, nil)
            result.newIncoming += 1
        }
        if let from, from.status != seen.status || from.substatus != seen.substatus {
            try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO history (referralId, system, externalId, fromStatus, fromSubstatus, toStatus, toSubstatus, statusReason, eTag, updatedDateTime, runId, recordedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    seen.referralId, system, externalId, from.status, from.substatus, seen.status, seen.substatus, seen.statusReason, seen.eTag,
                    seen.updatedDateTime, runId, date,
                ])
            result.changes += db.changesCount
        } else {
            result.refreshed += 1
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO remoteReferral (referralId, direction, system, externalId, status, substatus, statusReason, eTag, updatedDateTime, engagementId, json, firstRunId, lastRunId)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(referralId) DO UPDATE SET direction = excluded.direction, status = excluded.status, substatus = excluded.substatus,
                    statusReason = excluded.statusReason, eTag = excluded.eTag, updatedDateTime = excluded.updatedDateTime,
                    engagementId = excluded.engagementId, json = COALESCE(excluded.json, remoteReferral.json), lastRunId = excluded.lastRunId
                """
        ).execute(
            arguments: [
                seen.referralId, seen.direction, system, externalId, seen.status, seen.substatus, seen.statusReason, seen.eTag, seen.updatedDateTime,
                seen.engagementId, seen.json, runId, runId,
            ])
        // The entry keeps the latest known status and eTag too, so `ledger show`, `ledger export`
        // and the next sync's plan all see what Partner Center says now.
        if let entry {
            try db.cachedStatement(sql: "UPDATE entry SET status = ?, substatus = ?, eTag = ? WHERE system = ? AND externalId = ?").execute(
                arguments: [seen.status, seen.substatus, seen.eTag, entry["system"] as String?, entry["externalId"] as String?])
        }
    }

    /// The history of one referral, or of every referral of a CRM record, oldest first.
    public func history(referralId: String? = nil, externalId: String? = nil, system: String? = nil) async throws -> [HistoryRow] {
        try await writer.read { db in
            var clauses: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let referralId {
                clauses.append("referralId = ?")
                arguments.append(referralId)
            }
            if let externalId {
                clauses.append("externalId = ?")
                arguments.append(externalId)
            }
            if let system {
                clauses.append("system = ?")
                arguments.append(system)
            }
            let condition = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT referralId, system, externalId, fromStatus, fromSubstatus, toStatus, toSubstatus, statusReason, eTag, updatedDateTime, runId, recordedAt
                    FROM history \(condition) ORDER BY updatedDateTime, id
                    """,
                arguments: StatementArguments(arguments)
            ).map(Self.historyRow)
        }
    }

    /// How many history rows there are, and how many distinct (referral, time) keys: equal unless
    /// something was recorded twice.
    public func historyCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM history") ?? 0 }
    }

    static func historyRow(_ row: Row) throws -> HistoryRow {
        HistoryRow(
            referralId: try row.decode(atIndex: 0), system: try row.decode(atIndex: 1), externalId: try row.decode(atIndex: 2),
            fromStatus: try row.decode(atIndex: 3), fromSubstatus: try row.decode(atIndex: 4), toStatus: try row.decode(atIndex: 5),
            toSubstatus: try row.decode(atIndex: 6), statusReason: try row.decode(atIndex: 7), eTag: try row.decode(atIndex: 8),
            updatedDateTime: try row.decode(atIndex: 9), runId: try row.decode(atIndex: 10), recordedAt: try row.decode(atIndex: 11))
    }
}

/// What `ledger export` adds to each entry from pulls and write-backs (issue #13).
struct PullExportFields {
    /// The referral's `updatedDateTime` as the last pull saw it.
    var referralUpdatedDateTime: String?
    /// The write-back batch that last wrote the record, and its files.
    var writtenBackBatch: Int64?
    var writtenBackFiles: String?

    init(row: Row, from index: Int) throws {
        referralUpdatedDateTime = try row.decode(atIndex: index)
        writtenBackBatch = try row.decode(atIndex: index + 1)
        writtenBackFiles = try row.decode(atIndex: index + 2)
    }

    var csvFields: [String] {
        let files = writtenBackFiles.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return [referralUpdatedDateTime ?? "", writtenBackBatch.map(String.init) ?? "", files.first ?? ""]
    }

    /// The entry's JSON object with these members added before its closing brace.
    func appended(to object: Data) throws -> Data {
        // Nil members are left out (synthesized Encodable writes optionals with encodeIfPresent).
        struct Members: Encodable {
            var referralUpdatedDateTime: String?
            var writtenBackBatch: Int64?
            var writtenBackFile: String?
        }
        let members = Members(
            referralUpdatedDateTime: referralUpdatedDateTime, writtenBackBatch: writtenBackBatch,
            writtenBackFile: csvFields[2].isEmpty ? nil : csvFields[2])
        guard members.referralUpdatedDateTime != nil || members.writtenBackBatch != nil, object.last == UInt8(ascii: "}") else { return object }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let extra = try encoder.encode(members)
        var result = Data(object.dropLast())
        if result.count > 1 { result.append(UInt8(ascii: ",")) }
        result.append(extra.dropFirst())
        return result
    }
}

extension LedgerDatabase {
    static let pullExportColumns = ["referralUpdatedDateTime", "writtenBackBatch", "writtenBackFile"]

    /// Every entry with its pull and write-back state, in (system, externalId) order.
    static var pullExportSQL: String {
        """
        SELECT \(LedgerEntry.columnNames.map { "e.\"\($0)\"" }.joined(separator: ", ")), r.updatedDateTime, w.batchId, b.files
        FROM entry e
        LEFT JOIN remoteReferral r ON r.referralId = e.referralId
        LEFT JOIN writebackState w ON w.system = e.system AND w.externalId = e.externalId
        LEFT JOIN writebackBatch b ON b.id = w.batchId
        ORDER BY e.system, e.externalId
        """
    }
}
