public import Foundation
public import Ledger
public import Mapping
import Referrals

/// One source of the job, as far as giving the CRM back is concerned.
public struct WritebackTarget: Sendable {
    /// The ledger's system (the mapping's `system:`).
    public var system: String
    public var writeback: WritebackSpec?
    public var incoming: IncomingSpec?

    public init(system: String, writeback: WritebackSpec?, incoming: IncomingSpec?) {
        self.system = system
        self.writeback = writeback
        self.incoming = incoming
    }

    public init(_ spec: MappingSpec) {
        self.init(system: spec.sourceSystem, writeback: spec.writeback, incoming: spec.incoming)
    }
}

/// What a write-back pass wrote.
public struct WritebackResult: Sendable, Hashable {
    /// Every file written, in order (a batch's `.sdl` or instructions included).
    public var files: [String] = []
    /// Records in new write-back files.
    public var updateRows = 0
    /// Incoming referrals in new leads files.
    public var incomingRows = 0
    /// Files of earlier batches written again (a crash came between a batch and its file, or `--since`).
    public var rewrittenBatches = 0
    /// Ledger entries compared; 0 when nothing changed since the last pass (the comparison is skipped).
    public var candidatesRead = 0

    public init() {}
}

/// Writes the write-back files and the incoming-leads file from the ledger (issue #13).
///
/// Only records whose written-back values changed since their last write-back get a row (the
/// ledger remembers the values, `syncedOn` aside). Rows are fixed in a ledger batch first, then the
/// file is written from the batch and the batch marked written; a batch left unwritten by a crash is
/// written first by the next pass, with the same name and content (see LedgerDatabase+Writeback).
public struct WritebackWriter: Sendable {
    let ledger: LedgerDatabase
    let folder: String
    let now: @Sendable () -> Date
    /// Ledger entries read at a time.
    let candidatePage: Int
    /// Rows after which a write-back batch (one file; a `$batch` body is split further at 1,000)
    /// closes: bounds memory, and keeps each file well under the Dynamics import wizard's size limit.
    let maxRowsPerBatch: Int

    public init(ledger: LedgerDatabase, folder: String, now: @escaping @Sendable () -> Date = { Date() }, candidatePage: Int = 5_000, maxRowsPerBatch: Int = 20_000) {
        self.ledger = ledger
        self.folder = folder
        self.now = now
        self.candidatePage = max(1, candidatePage)
        self.maxRowsPerBatch = max(1, maxRowsPerBatch)
    }

    /// - Parameters:
    ///   - since: also write again the files of batches made by runs from this id on.
    public func run(targets: [WritebackTarget], runId: Int64?, since: Int64? = nil) async throws -> WritebackResult {
        var result = WritebackResult()
        var done: Set<Int64> = []
        for batch in try await ledger.unwrittenBatches() {
            result.files += try await write(batch)
            result.rewrittenBatches += 1
            done.insert(batch.id)
        }
        if let since {
            for kind in [WritebackBatch.Kind.update, .incoming] {
                for batch in try await ledger.batches(sinceRun: since, kind: kind) where !done.contains(batch.id) {
                    result.files += try await write(batch)
                    result.rewrittenBatches += 1
                }
            }
        }
        let stamp = ISO8601DateFormatter().string(from: now())
        for target in targets {
            guard let spec = target.writeback else { continue }
            var options = ["keyColumn": spec.keyColumn, "serviceRoot": spec.serviceRoot]
            options["entitySet"] = spec.entitySet
            // The ledger is read a page at a time and a batch closes at `maxRowsPerBatch`, so memory
            // stays bounded whatever the ledger holds: the first write-back after a migration of
            // 500k records is files of about 20k rows, not one file built in memory.
            var rows: [WritebackBatchRow] = []
            func flush() async throws {
                guard !rows.isEmpty else { return }
                if let batch = try await ledger.createBatch(
                    kind: .update, system: target.system, format: spec.format.rawValue, columns: spec.columns.map(\.column), options: options, rows: rows,
                    runId: runId, at: now())
                {
                    result.files += try await write(batch, rows: rows)
                    result.updateRows += rows.count
                }
                rows.removeAll(keepingCapacity: true)
            }
            // Skipped when nothing the comparison reads changed since the last complete pass with
            // the same columns (see LedgerDatabase+ChangeMark): a nightly run over unchanged records
            // read every entry with a referral to write nothing.
            let compared = Self.comparedColumns(spec)
            let seq = try await ledger.changeSequence()
            if try await ledger.writebackIsCurrent(system: target.system, compared: compared, seq: seq) { continue }
            var after: String?
            while true {
                let page = try await ledger.writebackCandidates(system: target.system, after: after, limit: candidatePage)
                result.candidatesRead += page.count
                rows += page.compactMap { Self.row($0, spec: spec, syncedOn: stamp) }
                if rows.count >= maxRowsPerBatch { try await flush() }
                guard page.count == candidatePage, let last = page.last else { break }
                after = last.externalId
            }
            try await flush()
            try await ledger.setWritebackMark(system: target.system, compared: compared, seq: seq)
        }
        // Incoming referrals go to the first source that has an `incoming:` section: a lead must be
        // created in one CRM only.
        if let target = targets.first(where: { $0.incoming != nil }), let spec = target.incoming {
            let rows = try await ledger.incomingCandidates().map { candidate in
                Self.incomingRow(candidate, spec: spec)
            }
            if let batch = try await ledger.createBatch(
                kind: .incoming, system: target.system, format: spec.format.rawValue, columns: spec.columns.map(\.column), options: [:], rows: rows,
                runId: runId, at: now())
            {
                result.files += try await write(batch, rows: rows)
                result.incomingRows += rows.count
            }
        }
        return result
    }

    /// What a pass compares, column by column (the time of writing is never compared): a pass
    /// with other columns is not current whatever the ledger holds.
    static func comparedColumns(_ spec: WritebackSpec) -> String {
        JSONStringArray.encode(spec.columns.map { $0.value == .syncedOn ? "" : $0.value.rawValue })
    }

    /// The record's row if its values changed since the last write-back, else nil.
    static func row(_ candidate: WritebackCandidate, spec: WritebackSpec, syncedOn: String) -> WritebackBatchRow? {
        let values = spec.columns.map { column -> String in
            switch column.value {
            case .referralId: candidate.referralId
            case .engagementId: candidate.engagementId ?? ""
            case .status: candidate.status ?? ""
            case .substatus: candidate.substatus ?? ""
            case .statusReason: candidate.statusReason ?? ""
            case .updatedOn: candidate.updatedDateTime ?? ""
            case .syncedOn: syncedOn
            }
        }
        // What is compared: every value but the time of writing.
        let compared = zip(spec.columns, values).map { $0.0.value == .syncedOn ? "" : $0.1 }
        let comparedText = JSONStringArray.encode(compared)
        guard comparedText != candidate.lastWritten else { return nil }
        return WritebackBatchRow(key: candidate.externalId, values: values, compared: comparedText)
    }

    static func incomingRow(_ candidate: IncomingCandidate, spec: IncomingSpec) -> WritebackBatchRow {
        let document = (try? JSONDecoder().decode(JSONValue.self, from: Data(candidate.json.utf8))) ?? .null
        let values = spec.columns.map { column -> String in
            switch column.source {
            case .path(let path): ReferralPath.value(path, in: document)
            case .constant(let text): text
            }
        }
        return WritebackBatchRow(key: candidate.referralId, values: values, compared: nil)
    }

    // MARK: files

    private func write(_ batch: WritebackBatch) async throws -> [String] {
        try await write(batch, rows: try await ledger.batchRows(batch.id))
    }

    private func write(_ batch: WritebackBatch, rows: [WritebackBatchRow]) async throws -> [String] {
        let files = Self.render(batch, rows: rows)
        var written: [String] = []
        for (name, bytes) in files {
            let path = (folder as NSString).appendingPathComponent(name)
            try Self.writeAtomically(bytes, to: path)
            written.append(path)
        }
        try await ledger.markBatchWritten(batch.id, files: written)
        return written
    }

    /// A batch's files, by name: a function of the batch alone, so a batch written twice gives the
    /// same files.
    static func render(_ batch: WritebackBatch, rows: [WritebackBatchRow]) -> [(String, [UInt8])] {
        let kind = batch.kind == .update ? "writeback" : "incoming"
        let base = "\(safeName(batch.system))-\(kind)-\(String(batch.id))"
        let format = CRMFileFormat(rawValue: batch.format) ?? .dynamicsCSV
        switch (format, batch.kind) {
        case (.dynamicsCSV, .update):
            let header = [batch.options["keyColumn"] ?? "Record Id"] + batch.columns
            return [("\(base).csv", DynamicsImportCSV.render(header: header, rows: rows.map { [$0.key] + $0.values }))]
        case (.dynamicsCSV, .incoming):
            return [("\(base).csv", DynamicsImportCSV.render(header: batch.columns, rows: rows.map(\.values)))]
        case (.salesforceCSV, .update):
            let header = ["Id"] + batch.columns
            return [
                ("\(base).csv", DataLoaderCSV.render(header: header, rows: rows.map { [$0.key] + $0.values })),
                ("\(base).sdl", DataLoaderCSV.mapping(header: header)),
            ]
        case (.salesforceCSV, .incoming):
            return [
                ("\(base).csv", DataLoaderCSV.render(header: batch.columns, rows: rows.map(\.values))),
                ("\(base).sdl", DataLoaderCSV.mapping(header: batch.columns)),
            ]
        case (.dataverseBatch, _):
            let bodies = DataverseBatch.render(
                batchName: "refbridge_\(batch.id)", entitySet: batch.options["entitySet"] ?? "leads", serviceRoot: batch.options["serviceRoot"] ?? "/api/data/v9.2",
                attributes: batch.columns, rows: rows.map { ($0.key, $0.values) })
            var files: [(String, [UInt8])] = []
            var howTo = "Dataverse Web API $batch bodies written by refbridge. POST each to [Organization URI]/api/data/v9.2/$batch with:\n"
            for (index, body) in bodies.enumerated() {
                let name = "\(base)-\(index + 1).batch"
                files.append((name, body.body))
                howTo += "\n\(name):\n  Content-Type: multipart/mixed; boundary=\"\(body.boundary)\"\n  OData-Version: 4.0\n  OData-MaxVersion: 4.0\n  Prefer: odata.continue-on-error\n"
            }
            files.append(("\(base).txt", Array(howTo.utf8)))
            return files
        }
    }

    static func safeName(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }

    /// Temporary file (0600: incoming leads hold customer contacts), then rename over the name.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw WritebackError("cannot create the write-back folder \(folder): \(error). Set `writeback:` in the job file to a writable folder")
            }
        }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw WritebackError("cannot write \(temporary): check that \(folder) is writable and has space; the rows stay in the ledger and are written by the next pull or `refbridge writeback`")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw WritebackError("cannot move \(temporary) to \(path): \(reason); the rows stay in the ledger and are written by the next pull or `refbridge writeback`")
        }
    }
}

/// A write-back file could not be written; says which and what happens to its rows.
public struct WritebackError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
