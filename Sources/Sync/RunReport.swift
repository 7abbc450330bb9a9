import Foundation

/// The files a run leaves for people: `success.csv`, `errors.csv` and `summary.json`, in a folder of
/// their own per run. Rows are written as records finish, through buffers, so a run that is killed
/// still leaves what it did so far.
final class RunReport {
    let folder: String
    private let success: CSVFile
    private let errors: CSVFile

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

    func succeeded(externalId: String, referralId: String?, engagementId: String?, connectedReferralId: String?, outcome: String, source: String) {
        success.write([externalId, referralId ?? "", engagementId ?? "", connectedReferralId ?? "", outcome, source])
    }

    func failed(externalId: String?, source: String, outcome: String, reason: String) {
        errors.write([externalId ?? "", source, outcome, reason])
    }

    func finish(_ summary: SyncSummary) {
        success.close()
        errors.close()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        if let data = try? encoder.encode(summary) {
            FileManager.default.createFile(atPath: (folder as NSString).appendingPathComponent("summary.json"), contents: data, attributes: [.posixPermissions: 0o600])
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

/// An RFC 4180 CSV file written through a buffer.
final class CSVFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String, header: [String]) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ConfigurationError(file: path, message: "cannot write this report file: check the reports folder's permissions")
        }
        self.handle = handle
        write(header)
    }

    func write(_ fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            if field.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
                buffer.append(34)
                for byte in field.utf8 {
                    if byte == 34 { buffer.append(34) }
                    buffer.append(byte)
                }
                buffer.append(34)
            } else {
                buffer.append(contentsOf: field.utf8)
            }
        }
        buffer.append(contentsOf: [13, 10])
        if buffer.count >= 64 * 1024 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        try? handle.close()
    }
}
