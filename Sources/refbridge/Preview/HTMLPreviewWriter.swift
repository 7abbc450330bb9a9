import Foundation
import Pipeline
import Referrals
import Mapping
import Importers

/// One self-contained page for a reviewer: summary, rejects grouped by reason, and each record's
/// source fields beside the referral it becomes. Everything from the data is HTML-escaped.
final class HTMLPreviewWriter {
    /// Past this many records the page lists only rejected ones, so it stays openable.
    static let detailLimit = 2000
    private var rows: [String] = []
    private var detailed = 0

    init() {}

    func add(_ record: StreamRecord) {
        let isRejected: Bool
        if case .rejected = record.outcome { isRejected = true } else { isRejected = false }
        guard detailed < Self.detailLimit || isRejected else { return }
        detailed += 1
        let source = record.source.map { source in
            zip(source.names, source.values).map { "<tr><th>\(Self.escape($0))</th><td>\(Self.escape($1.text ?? "null"))</td></tr>" }.joined()
        } ?? ""
        let place = Self.escape("\((record.location.file as NSString).lastPathComponent) record \(record.location.record)" + (record.location.line.map { " (line \($0))" } ?? ""))
        let id = Self.escape(record.externalId ?? "-")
        switch record.outcome {
        case .mapped(let mapped):
            let json = Self.pretty(mapped.json)
            let warnings = mapped.warnings.map { "<li>\(Self.escape($0))</li>" }.joined()
            rows.append("<section class=ok><h3>\(place) · \(id)</h3>\(warnings.isEmpty ? "" : "<ul class=warn>\(warnings)</ul>")<div class=pair><table>\(source)</table><pre>\(Self.escape(json))</pre></div></section>")
        case .skipped(let reason):
            rows.append("<section class=skip><h3>\(place) · \(id) · skipped</h3><p>\(Self.escape(reason))</p><div class=pair><table>\(source)</table></div></section>")
        case .rejected(let issues, _):
            let list = issues.map { "<li><b>\(Self.escape($0.field))</b>: \(Self.escape($0.message))</li>" }.joined()
            rows.append("<section class=bad><h3>\(place) · \(id) · rejected</h3><ul>\(list)</ul><div class=pair><table>\(source)</table></div></section>")
        case .sameAsLedger(let rejectedFor):
            // A preview is given no ledger, so never meets one; said plainly all the same.
            rows.append("<section class=skip><h3>\(place) · \(id) · as in the ledger</h3><p>\(Self.escape(rejectedFor ?? "unchanged"))</p></section>")
        }
    }

    func page(counts summary: StreamCounts, notices: [String], mapping: String) -> String {
        let reasons = summary.rejectReasons.sorted { $0.value > $1.value }
            .map { "<tr><td>\($0.value)</td><td>\(Self.escape($0.key))</td></tr>" }.joined()
        let notices = notices.map { "<li>\(Self.escape($0))</li>" }.joined()
        let truncated = summary.records > detailed ? "<p>Only the first \(Self.detailLimit) records are shown in full, and every rejected one.</p>" : ""
        return """
            <!doctype html><html lang=en><head><meta charset=utf-8><title>refbridge preview</title><style>
            body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
            th{background:#f4f4f4;font-weight:600}section{border-left:4px solid #2a7;padding:0 1em;margin:1em 0}section.bad{border-color:#c33}section.skip{border-color:#999}
            .pair{display:flex;gap:1em;align-items:flex-start}pre{background:#f8f8f8;padding:.5em;margin:0;white-space:pre-wrap;max-width:60%}.warn{color:#a60}
            </style></head><body><h1>refbridge preview</h1><p>Mapping: <code>\(Self.escape(mapping))</code></p>
            <table><tr><th>records</th><th>mapped</th><th>skipped</th><th>rejected</th><th>warnings</th></tr>
            <tr><td>\(summary.records)</td><td>\(summary.mapped)</td><td>\(summary.skipped)</td><td>\(summary.rejected)</td><td>\(summary.warnings)</td></tr></table>
            \(notices.isEmpty ? "" : "<h2>Notes</h2><ul>\(notices)</ul>")
            <h2>Rejects by reason</h2>\(reasons.isEmpty ? "<p>None.</p>" : "<table><tr><th>records</th><th>reason</th></tr>\(reasons)</table>")
            <h2>Records</h2>\(truncated)\(rows.joined(separator: "\n"))</body></html>
            """
    }

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static func pretty(_ bytes: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: data, as: UTF8.self)
    }
}
