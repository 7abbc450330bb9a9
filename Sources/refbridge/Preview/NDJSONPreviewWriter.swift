import Foundation
import Sync
import Pipeline
import Referrals
import Mapping
import Importers

/// Preview lines as NDJSON, one per input record, through one reused buffer.
final class NDJSONPreviewWriter {
    private let output: FileOutput
    private var buffer: [UInt8] = []
    private var lastFile = ""
    private var lastFileJSON: [UInt8] = [34, 34]

    init(output: FileOutput) {
        self.output = output
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ record: StreamRecord) {
        buffer.append(contentsOf: #"{"source":{"file":"#.utf8)
        // Every line names its file: escaped once per file, not once per line.
        if record.location.file != lastFile {
            lastFile = record.location.file
            lastFileJSON.removeAll(keepingCapacity: true)
            JSONString.append(lastFile, to: &lastFileJSON)
        }
        buffer.append(contentsOf: lastFileJSON)
        buffer.append(contentsOf: #","record":"#.utf8)
        buffer.append(contentsOf: String(record.location.record).utf8)
        if let line = record.location.line {
            buffer.append(contentsOf: #","line":"#.utf8)
            buffer.append(contentsOf: String(line).utf8)
        }
        buffer.append(UInt8(ascii: "}"))
        if let id = record.externalId {
            buffer.append(contentsOf: #","externalReferenceId":"#.utf8)
            JSONString.append(id, to: &buffer)
        }
        switch record.outcome {
        case .mapped(let mapped):
            buffer.append(contentsOf: #","referral":"#.utf8)
            buffer.append(contentsOf: mapped.json)
            buffer.append(contentsOf: #","warnings":["#.utf8)
            for (index, warning) in mapped.warnings.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                JSONString.append(warning, to: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .skipped(let reason):
            buffer.append(contentsOf: #","skipped":"#.utf8)
            JSONString.append(reason, to: &buffer)
        case .rejected(let issues, _):
            buffer.append(contentsOf: #","errors":["#.utf8)
            for (index, issue) in issues.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(contentsOf: #"{"field":"#.utf8)
                JSONString.append(issue.field, to: &buffer)
                buffer.append(contentsOf: #","message":"#.utf8)
                JSONString.append(issue.message, to: &buffer)
                buffer.append(UInt8(ascii: "}"))
            }
            buffer.append(UInt8(ascii: "]"))
        case .sameAsLedger(let rejectedFor):
            // A preview is given no ledger, so never meets one; said plainly all the same.
            buffer.append(contentsOf: #","sameAsLedger":"#.utf8)
            if let reason = rejectedFor { JSONString.append(reason, to: &buffer) } else { buffer.append(contentsOf: "true".utf8) }
        }
        buffer.append(contentsOf: "}\n".utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        output.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
