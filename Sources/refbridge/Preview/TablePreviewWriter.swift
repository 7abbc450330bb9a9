import Foundation
import Sync
import Pipeline
import Referrals
import Importers
import Mapping

/// A readable terminal view: one line per record, control characters escaped.
final class TablePreviewWriter {
    private let output: FileOutput

    init(output: FileOutput) {
        self.output = output
        write(Self.row("record", "external id", "outcome", "customer / reason"))
        write(String(repeating: "-", count: 120))
    }

    func write(_ record: StreamRecord) {
        let id = record.externalId ?? "-"
        switch record.outcome {
        case .mapped(let mapped):
            let referral = mapped.referral
            var detail = [referral.customerProfile?.name, referral.customerProfile?.address?.country, referral.type?.rawValue]
                .compactMap { $0 }.joined(separator: " · ")
            if let value = referral.details?.dealValue { detail += " · \(value) \(referral.details?.currency ?? "")" }
            if !mapped.warnings.isEmpty { detail += "  ⚠ " + mapped.warnings.joined(separator: "; ") }
            write(Self.row(Self.place(record), id, "mapped", detail))
        case .skipped(let reason):
            write(Self.row(Self.place(record), id, "skipped", reason))
        case .rejected(let issues, _):
            write(Self.row(Self.place(record), id, "REJECTED", issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")))
        case .sameAsLedger(let rejectedFor):
            // A preview is given no ledger, so never meets one; said plainly all the same.
            write(Self.row(Self.place(record), id, rejectedFor == nil ? "unchanged" : "REJECTED", rejectedFor ?? "as in the ledger"))
        }
    }

    func finish(_ counts: StreamCounts, notices: [String]) {
        write("")
        write("\(counts.records) records: \(counts.mapped) mapped, \(counts.skipped) skipped, \(counts.rejected) rejected, \(counts.warnings) warnings")
        for notice in notices { write("note: " + notice) }
    }

    private func write(_ line: String) { output.write(TerminalText.safe(line) + "\n") }

    /// `Lead.csv record 1 (line 2)`: the record's number and the line a person finds it on.
    static func place(_ record: StreamRecord) -> String {
        let name = (record.location.file as NSString).lastPathComponent
        guard record.location.record > 0 else { return name }
        return "\(name) record \(record.location.record)" + (record.location.line.map { " (line \($0))" } ?? "")
    }

    static func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
        }
        return pad(a, 42) + pad(b, 40) + pad(c, 10) + d
    }
}
