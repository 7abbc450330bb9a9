import Foundation
import Sync
import Pipeline
import Referrals
import Mapping
import Importers

/// Preview lines as NDJSON, one per input record, through one reused buffer.
///
/// The buffer is a `JSONBytes`: a line is some twenty appends, and each append to an array checked
/// the array's uniqueness and room through a call.
final class NDJSONPreviewWriter {
    private let output: FileOutput
    private var lines = Lines()

    init(output: FileOutput) {
        self.output = output
    }

    /// One line per record, in order.
    func write(_ records: [StreamRecord]) {
        // Each record read in place and written by the (inlined) method below: a record passed to a
        // method from an array was copied first, retaining its file name, id and outcome (objects
        // the mapping threads touch too) and releasing them after, 0.7 % of a CSV preview. One
        // access to `lines` for the batch: appends to a buffer that was the class's own property
        // were each checked for exclusive access at run time, some forty checks a line.
        records.withUnsafeBufferPointer { records in
            lines.write(records, to: output)
        }
    }

    func flush() {
        lines.flush(to: output)
    }
}

extension NDJSONPreviewWriter {
    private struct Lines: ~Copyable {
        var buffer = JSONBytes(capacity: 1 << 20 + 1 << 16)
        var lastFile = ""
        var lastFileJSON: [UInt8] = [34, 34]

        mutating func write(_ records: UnsafeBufferPointer<StreamRecord>, to output: FileOutput) {
            for index in records.indices { write(records[index], to: output) }
        }

        mutating func flush(to output: FileOutput) {
            buffer.withBytes { output.write($0) }
            buffer.removeAll()
        }

        @inline(__always)
        private mutating func write(_ record: StreamRecord, to output: FileOutput) {
            buffer.append(#"{"source":{"file":"#)
            // Every line names its file: escaped once per file, not once per line.
            if record.location.file != lastFile {
                lastFile = record.location.file
                lastFileJSON.removeAll(keepingCapacity: true)
                JSONString.append(lastFile, to: &lastFileJSON)
            }
            lastFileJSON.withUnsafeBufferPointer { buffer.append($0) }
            buffer.append(#","record":"#)
            buffer.append(decimal: record.location.record)
            if let line = record.location.line {
                buffer.append(#","line":"#)
                buffer.append(decimal: line)
            }
            buffer.append(UInt8(ascii: "}"))
            if let id = record.externalId {
                buffer.append(#","externalReferenceId":"#)
                JSONString.append(id, to: &buffer)
            }
            switch record.outcome {
            case .mapped(let mapped):
                buffer.append(#","referral":"#)
                mapped.withJSON { buffer.append($0) }
                buffer.append(#","warnings":["#)
                for (index, warning) in mapped.warnings.enumerated() {
                    if index > 0 { buffer.append(UInt8(ascii: ",")) }
                    JSONString.append(warning, to: &buffer)
                }
                buffer.append(UInt8(ascii: "]"))
            case .skipped(let reason):
                buffer.append(#","skipped":"#)
                JSONString.append(reason, to: &buffer)
            case .rejected(let issues, _):
                buffer.append(#","errors":["#)
                for (index, issue) in issues.enumerated() {
                    if index > 0 { buffer.append(UInt8(ascii: ",")) }
                    buffer.append(#"{"field":"#)
                    JSONString.append(issue.field, to: &buffer)
                    buffer.append(#","message":"#)
                    JSONString.append(issue.message, to: &buffer)
                    buffer.append(UInt8(ascii: "}"))
                }
                buffer.append(UInt8(ascii: "]"))
            case .sameAsLedger(let rejectedFor):
                // A preview is given no ledger, so never meets one; said plainly all the same.
                buffer.append(#","sameAsLedger":"#)
                if let reason = rejectedFor { JSONString.append(reason, to: &buffer) } else { buffer.append("true") }
            }
            buffer.append("}\n")
            if buffer.count >= 1 << 20 { flush(to: output) }
        }
    }
}
