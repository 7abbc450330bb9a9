public import Foundation
import GRDB

/// A record's write-back values as the ledger knows them now.
public struct WritebackCandidate: Sendable, Hashable {
    public var externalId: String
    public var referralId: String
    public var engagementId: String?
    public var status: String?
    public var substatus: String?
    public var statusReason: String?
    /// The referral's `updatedDateTime` as the last pull saw it (nil before any pull).
    public var updatedDateTime: String?
    /// The values last written back (JSON of the compared values), nil if never.
    public var lastWritten: String?
}

/// An incoming referral not yet written to a leads file.
public struct IncomingCandidate: Sendable, Hashable {
    public var referralId: String
    public var json: String
}

/// One row of a write-back file: the record key and the cells, in the batch's column order.
public struct WritebackBatchRow: Sendable, Hashable {
    public var key: String
    public var values: [String]
    /// What is remembered as written for this record (its values without the time of writing);
    /// nil for incoming leads, remembered by referral id instead.
    public var compared: String?

    public init(key: String, values: [String], compared: String?) {
        self.key = key
        self.values = values
        self.compared = compared
    }
}

/// A batch: the rows of one write-back file (or one leads file), fixed when it is made.
public struct WritebackBatch: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// Updates of records refbridge handled.
        case update
        /// New leads from incoming referrals.
        case incoming
    }

    public var id: Int64
    public var kind: Kind
    public var system: String
    public var format: String
    public var columns: [String]
    /// Format options fixed with the batch (entity set, service root…), as JSON.
    public var options: [String: String]
    public var runId: Int64?
    public var createdAt: Date
    public var written: Bool
    public var files: [String]
}

/// Write-back batches (issue #13). A batch and what it makes "written" are committed together,
/// before its file exists; the file is then written from the batch (temporary file, rename) and the
/// batch marked written. A crash in between leaves a batch not marked written, and the next pull or
/// write-back writes the same file again from the same rows: every change lands in exactly one
/// batch, and each batch's file has one name and one content however often it is written.
extension LedgerDatabase {
    /// Records of `system` that have a referral, with their current and last written values, in
    /// id order: at most `limit` of them after the id `after`, so a pass over a ledger of any size
    /// holds one page at a time.
    public func writebackCandidates(system: String, after: String? = nil, limit: Int = Int(Int32.max)) async throws -> [WritebackCandidate] {
        try await writer.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT e.externalId, e.referralId, e.engagementId, COALESCE(r.status, e.status), COALESCE(r.substatus, e.substatus),
                           r.statusReason, r.updatedDateTime, w.valuesJSON
                    FROM entry e
                    LEFT JOIN remoteReferral r ON r.referralId = e.referralId
                    LEFT JOIN writebackState w ON w.system = e.system AND w.externalId = e.externalId
                    WHERE e.system = ? AND e.referralId IS NOT NULL AND e.externalId > ?
                    ORDER BY e.externalId
                    LIMIT ?
                    """,
                arguments: [system, after ?? "", limit])
            var result: [WritebackCandidate] = []
            while let row = try rows.next() {
                result.append(
                    WritebackCandidate(
                        externalId: try row.decode(atIndex: 0), referralId: try row.decode(atIndex: 1), engagementId: try row.decode(atIndex: 2),
                        status: try row.decode(atIndex: 3), substatus: try row.decode(atIndex: 4), statusReason: try row.decode(atIndex: 5),
                        updatedDateTime: try row.decode(atIndex: 6), lastWritten: try row.decode(atIndex: 7)))
            }
            return result
        }
    }

    /// Incoming referrals never written to any leads file, oldest first.
    public func incomingCandidates() async throws -> [IncomingCandidate] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.referralId, r.json FROM remoteReferral r
                    WHERE r.direction = 'Incoming' AND r.json IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM incomingLead l WHERE l.referralId = r.referralId)
                    ORDER BY r.firstRunId, r.updatedDateTime, r.referralId
                    """
            ).map { IncomingCandidate(referralId: try $0.decode(atIndex: 0), json: try $0.decode(atIndex: 1)) }
        }
    }

    /// Makes a batch and, in the same transaction, remembers its rows as written (write-back
    /// values by record, incoming leads by referral id). Returns nil for no rows.
    public func createBatch(
        kind: WritebackBatch.Kind, system: String, format: String, columns: [String], options: [String: String], rows: [WritebackBatchRow],
        runId: Int64?, at date: Date = Date()
    ) async throws -> WritebackBatch? {
        guard !rows.isEmpty else { return nil }
        let columnsJSON = try Self.json(columns)
        let optionsJSON = try Self.json(options)
        let encoded = rows.map { JSONStringArray.encode($0.values) }
        return try await writer.write { db in
            try self.checkLease(db)
            try db.execute(
                sql: "INSERT INTO writebackBatch (kind, system, format, columnsJSON, optionsJSON, runId, createdAt, written) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                arguments: [kind.rawValue, system, format, columnsJSON, optionsJSON, runId, date])
            let id = db.lastInsertedRowID
            for (position, row) in rows.enumerated() {
                try db.cachedStatement(sql: "INSERT INTO writebackRow (batchId, position, key, valuesJSON) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [id, position, row.key, encoded[position]])
                switch kind {
                case .update:
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO writebackState (system, externalId, valuesJSON, batchId) VALUES (?, ?, ?, ?)
                            ON CONFLICT(system, externalId) DO UPDATE SET valuesJSON = excluded.valuesJSON, batchId = excluded.batchId
                            """
                    ).execute(arguments: [system, row.key, row.compared ?? encoded[position], id])
                case .incoming:
                    // A referral id can be in one leads file only: the primary key refuses a second.
                    try db.cachedStatement(sql: "INSERT INTO incomingLead (referralId, system, batchId) VALUES (?, ?, ?)").execute(arguments: [row.key, system, id])
                }
            }
            return WritebackBatch(
                id: id, kind: kind, system: system, format: format, columns: columns, options: options, runId: runId, createdAt: date,
                written: false, files: [])
        }
    }

    /// Batches whose files were not (all) written: a crash came between the batch and its file.
    public func unwrittenBatches() async throws -> [WritebackBatch] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.batchColumns) FROM writebackBatch WHERE written = 0 ORDER BY id").map(Self.batch)
        }
    }

    /// Batches made by runs from `runId` on (for `writeback --since`), oldest first.
    public func batches(sinceRun runId: Int64, kind: WritebackBatch.Kind) async throws -> [WritebackBatch] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.batchColumns) FROM writebackBatch WHERE runId >= ? AND kind = ? ORDER BY id", arguments: [runId, kind.rawValue]
            ).map(Self.batch)
        }
    }

    public func batchRows(_ batchId: Int64) async throws -> [WritebackBatchRow] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT key, valuesJSON FROM writebackRow WHERE batchId = ? ORDER BY position", arguments: [batchId]).map { row in
                let text: String = try row.decode(atIndex: 1)
                let values = (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
                return WritebackBatchRow(key: try row.decode(atIndex: 0), values: values, compared: nil)
            }
        }
    }

    public func markBatchWritten(_ batchId: Int64, files: [String]) async throws {
        let filesJSON = try Self.json(files)
        try await writer.write { db in
            try db.execute(sql: "UPDATE writebackBatch SET written = 1, files = ? WHERE id = ?", arguments: [filesJSON, batchId])
        }
    }

    /// The write-back state of one record, for `ledger show` and `ledger export`.
    public func writebackState(system: String, externalId: String) async throws -> (values: String, batchId: Int64, files: [String])? {
        try await writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT w.valuesJSON, w.batchId, b.files FROM writebackState w LEFT JOIN writebackBatch b ON b.id = w.batchId
                        WHERE w.system = ? AND w.externalId = ?
                        """,
                    arguments: [system, externalId])
            else { return nil }
            let files: String? = try row.decode(atIndex: 2)
            return (try row.decode(atIndex: 0), try row.decode(atIndex: 1), files.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [])
        }
    }

    static let batchColumns = "id, kind, system, format, columnsJSON, optionsJSON, runId, createdAt, written, files"

    static func batch(_ row: Row) throws -> WritebackBatch {
        func decode<T: Decodable>(_ type: T.Type, _ text: String?, default fallback: T) -> T {
            text.flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) } ?? fallback
        }
        let kindText: String = try row.decode(atIndex: 1)
        return WritebackBatch(
            id: try row.decode(atIndex: 0), kind: WritebackBatch.Kind(rawValue: kindText) ?? .update, system: try row.decode(atIndex: 2),
            format: try row.decode(atIndex: 3), columns: decode([String].self, try row.decode(atIndex: 4), default: []),
            options: decode([String: String].self, try row.decode(atIndex: 5), default: [:]), runId: try row.decode(atIndex: 6),
            createdAt: try row.decode(atIndex: 7), written: try row.decode(atIndex: 8), files: decode([String].self, try row.decode(atIndex: 9), default: []))
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A JSON array of strings, written by hand: the write-back compares these texts exactly, and one
/// `JSONEncoder` per row was most of the cost of a 10k-row batch.
public enum JSONStringArray {
    public static func encode(_ values: [String]) -> String {
        var text = "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
                default: text.unicodeScalars.append(scalar)
                }
            }
            text += "\""
        }
        return text + "]"
    }
}
