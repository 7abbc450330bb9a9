import ArgumentParser
import Foundation
import Mapping

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show what each input record would become, without touching the API or the ledger.",
        discussion: """
            NDJSON (the default when the output is not a terminal) prints one line per input record, in \
            input order: the referral exactly as it would be POSTed, or the errors, or why it is skipped. \
            Exit codes: 0 every record mapped (or skipped by a rule), 1 some rejected, 2 bad mapping or usage.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case ndjson, table, html }

    @Option(name: .long, help: "The mapping file (see mappings/).") var mapping: String
    @Option(name: .long, help: "ndjson, table or html (default: table on a terminal, ndjson otherwise).") var format: Format?
    @Option(name: .long, help: "Read at most N records.") var limit: Int?
    @Option(name: .long, help: "Write here instead of standard output (html needs it or a redirect).") var output: String?
    @Argument(help: "The export files; several files (e.g. OData pages) are read as one stream.") var inputs: [String]

    func run() throws {
        let spec: MappingSpec
        do {
            spec = try MappingSpec.load(path: mapping)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let handle: FileHandle
        if let output {
            guard let file = openOutputFile(output) else {
                printError("cannot write \(output): check the folder exists and is writable")
                throw ExitCode(2)
            }
            handle = file
        } else {
            handle = .standardOutput
        }
        let chosen = format ?? (output == nil && isatty(STDOUT_FILENO) == 1 ? .table : .ndjson)
        let runner = PreviewRunner(spec: spec, limit: limit, keepSource: chosen == .html)
        let summary: PreviewSummary
        do {
            switch chosen {
            case .ndjson:
                let writer = NDJSONPreviewWriter(output: handle)
                summary = try runner.run(paths: inputs) { writer.write($0) }
                writer.flush()
                if let problem = writer.writeError {
                    printError("cannot write the preview (\(problem)): check the output's disk space and permissions")
                    throw ExitCode(2)
                }
            case .table:
                let writer = TablePreviewWriter(output: handle)
                summary = try runner.run(paths: inputs) { writer.write($0) }
                writer.finish(summary)
            case .html:
                let writer = HTMLPreviewWriter()
                summary = try runner.run(paths: inputs) { writer.add($0) }
                handle.write(Data(writer.page(summary: summary, mapping: mapping).utf8))
            }
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        try? handle.synchronize()
        let line = "\(summary.records) records: \(summary.mapped) mapped, \(summary.skipped) skipped, \(summary.rejected) rejected"
        if chosen != .table { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        for notice in summary.notices where chosen != .table { printError("note: " + notice) }
        if summary.rejected > 0 { throw ExitCode(1) }
    }
}
