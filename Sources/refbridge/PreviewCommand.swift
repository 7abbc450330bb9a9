import ArgumentParser
import Foundation
import Sync
import Mapping
import Pipeline
import Importers

struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show what each input record would become, without touching the API or the ledger.",
        discussion: """
            NDJSON (the default when the output is not a terminal) prints one line per input record, in \
            input order: the referral exactly as it would be POSTed, or the errors, or why it is skipped. \
            Records go through the same stream as `sync`, so both agree on every record. \
            Exit codes: 0 every record mapped (or skipped by a rule), 1 some rejected, 2 bad mapping, \
            a column the export lacks, or usage.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case ndjson, table, html }

    @Option(name: .long, help: "The mapping file (see mappings/).") var mapping: String
    @Option(name: .long, help: "ndjson, table or html (default: table on a terminal, ndjson otherwise).") var format: Format?
    @Option(name: .long, help: "Read at most N records.") var limit: Int?
    @Option(name: .long, help: "Write here instead of standard output (html needs it or a redirect); created 0600.") var output: String?
    @Argument(help: "The export files; several files (e.g. OData pages) are read as one stream.") var inputs: [String]

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
        if inputs.isEmpty { throw ValidationError("name at least one export file") }
    }

    func run() async throws {
        PreviewMemory.apply()
        let chosen = format ?? (self.output == nil && isatty(STDOUT_FILENO) == 1 ? .table : .ndjson)
        let stream: RecordStream
        do {
            var spec = try MappingSpec.load(path: mapping)
            // The HTML page shows every source field; the other formats show only what was mapped.
            if chosen == .html { spec.source.importOptions.readFields = nil }
            // The preview prints no payload hash: it is left for `sync`, which compares it with the
            // ledger. Only the table reads the referral; NDJSON and HTML print its bytes.
            stream = try RecordStream(sources: [StreamSource(files: inputs, spec: spec)], limit: limit, keepSource: chosen == .html, hashPayloads: false, keepReferrals: chosen == .table)
        } catch {
            printError("\(error)")
            throw Exit.configuration
        }
        let output: FileOutput
        if let path = self.output {
            // Customer data: readable by the user only, as the ledger and the reports are.
            guard let file = openOutputFile(path, mode: 0o600) else {
                printError("cannot write \(path): check the folder exists and is writable")
                throw Exit.configuration
            }
            output = file
        } else {
            output = .standardOutput
        }
        switch chosen {
        case .ndjson:
            let writer = NDJSONPreviewWriter(output: output)
            while let chunk = try await stream.next() { writer.write(chunk.records) }
            writer.flush()
        case .table:
            let writer = TablePreviewWriter(output: output)
            while let chunk = try await stream.next() {
                for record in chunk.records { writer.write(record) }
            }
            writer.finish(stream.counts, notices: await stream.notices)
        case .html:
            let writer = HTMLPreviewWriter()
            while let chunk = try await stream.next() {
                for record in chunk.records { writer.add(record) }
            }
            output.write(writer.page(counts: stream.counts, notices: await stream.notices, mapping: mapping))
        }
        if let problem = output.writeError {
            printError("cannot write the preview (\(problem)): check the output's disk space and permissions")
            throw Exit.aborted
        }
        let counts = stream.counts
        if chosen != .table {
            printError("\(counts.records) records: \(counts.mapped) mapped, \(counts.skipped) skipped, \(counts.rejected) rejected")
            for notice in await stream.notices { printError("note: " + notice) }
        }
        if counts.rejected > 0 { throw Exit.recordsFailed }
    }
}
