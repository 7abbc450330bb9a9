import Foundation
import Ledger

/// The files a run leaves for people: `success.csv`, `errors.csv` and `summary.json`, in a folder of
/// their own per run. `summary.json` is written at the start (`"state": "running"`) and again at the
/// end; rows are written as records settle, at most a second behind, so a run that is killed still
/// leaves what it did (the ledger stays the source of truth: `refbridge ledger export`).
final class RunReport {
    let folder: String
    private let success: CSVFile
    private let errors: CSVFile
    private var lastFlush = ContinuousClock.now
    private let clock = ContinuousClock()

    init(reportsPath: String, runId: Int64?, startedAt: Date) throws {
        let stamp = Self.stamp(startedAt)
        folder = (reportsPath as NSString).appendingPathComponent("\(stamp)-run\(runId.map(String.init) ?? "dry")")
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError(file: reportsPath, message: "cannot create the reports folder: check `reports:` in the job file and its permissions")
        }
        success = try CSVFile(path: (folder as NSString).appendingPathComponent("success.csv"),
                              header: ["externalReferenceId", "referralId", "engagementId", "connectedReferralId", "outcome", "source"])
        errors = try CSVFile(path: (folder as NSString).appendingPathComponent("errors.csv"),
                             header: ["externalReferenceId", "source", "outcome", "reason"])
    }

    /// One row for a settled record: successes and skips in `success.csv`, the rest in `errors.csv`.
    func add(_ outcome: RecordOutcome) {
        switch Self.file(of: outcome) {
        case .success: success.appendRow { Self.renderCells(outcome, into: &$0) }
        case .errors: errors.appendRow { Self.renderCells(outcome, into: &$0) }
        }
        flushEverySecond()
    }

    /// Rows rendered ahead (`ReportRows`): their bytes, as `add` would have written them.
    func add(_ run: ReportRows.Run, of rows: ReportRows) {
        let bytes = rows.bytes[run.range]
        switch run.file {
        case .success: success.append(row: bytes)
        case .errors: errors.append(row: bytes)
        }
        flushEverySecond()
    }

    /// Rows are at most a second behind on disk.
    private func flushEverySecond() {
        let now = clock.now
        if now - lastFlush >= .seconds(1) {
            lastFlush = now
            success.flush()
            errors.flush()
        }
    }

    /// The file an outcome's row goes to.
    static func file(of outcome: RecordOutcome) -> ReportRows.File {
        switch outcome.kind {
        case .created, .updated, .unchanged, .skipped: .success
        case .rejected, .failed: .errors
        }
    }

    /// Appends an outcome's whole row (cells, then CRLF) to `bytes`; returns the file it goes to.
    /// - Parameter details: the detail cell last rendered, reused when the next row has the same.
    static func render(_ outcome: RecordOutcome, into bytes: inout [UInt8], details: inout DetailCell?) -> ReportRows.File {
        renderCells(outcome, into: &bytes, details: &details)
        CSVFile.endRow(&bytes)
        return file(of: outcome)
    }

    /// The cells of an outcome's row, comma-separated, cell by cell into the buffer: no array of
    /// fields per record.
    private static func renderCells(_ outcome: RecordOutcome, into bytes: inout [UInt8]) {
        var details: DetailCell? = nil
        renderCells(outcome, into: &bytes, details: &details)
    }

    /// - Parameter details: where the detail cell of a row is rendered, when rows are rendered in
    ///   a run (`ReportRows`); nil: straight into `bytes`.
    private static func renderCells(_ outcome: RecordOutcome, into bytes: inout [UInt8], details: inout DetailCell?) {
        var first = true
        func cell(_ field: String) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            SpreadsheetCSV.append(field, to: &bytes)
        }
        switch outcome.kind {
        case .created, .updated, .unchanged:
            cell(outcome.externalId ?? "")
            cell(outcome.referralId ?? "")
            cell(outcome.engagementId ?? "")
            cell(outcome.connectedReferralId ?? "")
            cell(outcome.detail)
            cell(outcome.source)
        case .skipped:
            cell(outcome.externalId ?? "")
            cell("")
            cell("")
            cell("")
            cell("skipped: " + outcome.detail)
            cell(outcome.source)
        case .rejected, .failed:
            cell(outcome.externalId ?? "")
            cell(outcome.source)
            cell(outcome.kind.rawValue)
            if details != nil {
                bytes.append(UInt8(ascii: ","))
                details?.append(outcome.detail, to: &bytes)
            } else {
                cell(outcome.detail)
            }
        }
    }

    func flush() {
        success.flush()
        errors.flush()
    }

    func writeSummary(_ summary: SyncSummary) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(summary) else { return }
        Self.replace((folder as NSString).appendingPathComponent("summary.json"), with: data)
    }

    /// Written whole to a new file (0600) then renamed: a kill leaves the old content or the new one.
    static func replace(_ path: String, with data: Data) {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        _ = rename(temporary, path)
    }

    func finish(_ summary: SyncSummary) {
        success.close()
        errors.close()
        writeSummary(summary)
    }

    /// Why rows may be missing: the first write error of either file (a full disk), if any.
    var writeError: String? { success.writeError ?? errors.writeError }

    /// Marks the report of a run that was killed: its `summary.json` still says `running`.
    static func markInterrupted(reportsPath: String, runId: Int64) {
        guard let folders = try? FileManager.default.contentsOfDirectory(atPath: reportsPath) else { return }
        for folder in folders where folder.hasSuffix("-run\(runId)") {
            let path = (reportsPath as NSString).appendingPathComponent(folder + "/summary.json")
            guard let data = FileManager.default.contents(atPath: path),
                var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                object["state"] as? String == "running"
            else { continue }
            object["state"] = "interrupted"
            object["abortReason"] = "the run was killed before it finished; the next run resumed it (see its summary), and the ledger has every record"
            if let updated = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) {
                replace(path, with: updated)
            }
        }
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}

/// The detail cell of the last row, rendered: the rows of a run over records the mapping refuses
/// mostly give one reason, which holds a comma, so quoting it byte by byte was the largest part of
/// rendering each row.
struct DetailCell {
    private var text: String?
    private var cell: [UInt8] = []

    /// Appends `detail` as a cell (`SpreadsheetCSV`) to `bytes`.
    mutating func append(_ detail: String, to bytes: inout [UInt8]) {
        if text != detail {
            cell.removeAll(keepingCapacity: true)
            SpreadsheetCSV.append(detail, to: &cell)
            text = detail
        }
        bytes.append(contentsOf: cell)
    }
}

/// An RFC 4180 CSV file written through a buffer, safe to open in a spreadsheet.
final class CSVFile {
    private let output: FileOutput
    private var buffer: [UInt8] = []
    private var rowHasCells = false
    private var closed = false

    init(path: String, header: [String]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ConfigurationError(file: path, message: "cannot write this report file: check the reports folder's permissions")
        }
        output = FileOutput(descriptor: descriptor)
        write(header)
    }

    deinit { close() }

    /// The first write error (a full disk), if any; later rows are dropped.
    var writeError: String? { output.writeError }

    func write(_ fields: [String]) {
        for field in fields { cell(field) }
        endRow()
    }

    /// Appends a cell to the row being written.
    func cell(_ field: String) {
        if rowHasCells { buffer.append(UInt8(ascii: ",")) }
        SpreadsheetCSV.append(field, to: &buffer)
        rowHasCells = true
    }

    /// Ends the row being written (CRLF, as RFC 4180 and Excel expect).
    func endRow() {
        Self.endRow(&buffer)
        rowHasCells = false
        flushWhenFull()
    }

    static func endRow(_ bytes: inout [UInt8]) {
        bytes.append(13)
        bytes.append(10)
    }

    /// Writes one whole row: its cells, written by `cells` comma-separated, then CRLF.
    func appendRow(_ cells: (inout [UInt8]) -> Void) {
        cells(&buffer)
        endRow()
    }

    /// Appends a whole row rendered elsewhere (cells and CRLF).
    func append(row: ArraySlice<UInt8>) {
        buffer.append(contentsOf: row)
        flushWhenFull()
    }

    private func flushWhenFull() {
        if buffer.count >= 64 * 1024 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty, !closed else { return }
        output.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes; the descriptor closes with the stream.
    func close() {
        flush()
        closed = true
    }
}

