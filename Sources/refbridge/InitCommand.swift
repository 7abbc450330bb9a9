public import ArgumentParser
import Foundation
import Importers
import Mapping
public import MappingDraft
import Pipeline
import Sync

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Draft a mapping from your own export, then preview it on the same file.",
        discussion: """
            Reads the export as the importers do, recognises what wrote it (Dynamics Excel export, Dataverse \
            Web API page or NDJSON, CMT data.xml, Salesforce export, or unknown), and writes a complete mapping: \
            the key, every referral field it can fill (known column names, similar headers, the values \
            themselves), value maps from the values seen and skip rules from status values, each line \
            commented with where its guess came from. At most \(ExportSample.defaultLimit) records are sampled \
            for this; the preview then streams the whole file. Consent is never guessed: the mapping does not \
            load until you state it (the REVIEW (required) item). \
            Exit codes: 0 the draft was written (its preview may still reject records), 2 usage, an export \
            that cannot be read, or an existing output file without --force.
            """
    )

    @Option(name: .long, help: "lead or opportunity (default: recognised from the export).") var kind: RecordKind?
    @Option(name: .long, help: "Where to write the mapping (default: mappings/<crm>-<kind>-<shape>.yaml).") var output: String?
    @Flag(name: .long, help: "Replace the output file if it exists.") var force = false
    @Argument(help: "The export files; several files (e.g. OData pages) are read as one stream.") var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("name at least one export file") }
    }

    func run() async throws {
        let draft: DraftMapping
        do {
            let sample = try ExportSample.read(inputs, preferredEntity: kind?.rawValue)
            guard sample.records > 0 || sample.header != nil else {
                printError("\(inputs[0]): no record could be read (\(sample.rejected) rejected): check it with `refbridge read \(inputs[0])`")
                throw Exit.configuration
            }
            draft = MappingDrafter.draft(sample, kind: kind, name: output.map(Self.baseName))
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("\(error)")
            throw Exit.configuration
        }
        let path = output ?? "mappings/" + draft.suggestedFileName
        // `--output leads.csv --force` must not truncate the export it is about to preview.
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if inputs.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path == target }) {
            printError("\(path) is one of the exports: name the mapping with --output, e.g. --output mappings/\(draft.suggestedFileName)")
            throw Exit.configuration
        }
        try write(draft.yaml, to: path, defaultFolder: output == nil)

        let out = FileOutput.standardOutput
        let more = draft.sampleReachedLimit ? " (the first \(ExportSample.defaultLimit); the file holds more)" : ""
        out.write("wrote \(path): a \(draft.kind.rawValue) mapping drafted from \(draft.sampledRecords) sampled records\(more) (\(draft.producer.rawValue))\n")
        // The loader's own words for what is left: consent (and anything unexpected).
        do {
            _ = try MappingSpec.parse(yaml: draft.yaml, file: path)
        } catch {
            out.write("it does not load yet, on purpose:\n")
            for line in "\(error)".split(separator: "\n") { out.write("  \(line)\n") }
        }
        do {
            let summary = try await DraftPreview.run(draft, files: inputs, mappingFile: path)
            let counts = summary.counts
            out.write("\npreview on \(inputs.joined(separator: " ")), with consent taken as given for now:\n")
            out.write("  \(counts.records) records: \(counts.mapped) mapped, \(counts.skipped) skipped, \(counts.rejected) rejected\n")
            for (reason, count) in summary.skipReasons.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                out.write("  skipped \(count): \(reason)\n")
            }
            for (reason, count) in counts.rejectReasons.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(10) {
                out.write("  rejected \(count): \(reason)\n")
            }
        } catch {
            out.write("\npreview failed: \(error)\n")
        }
        out.write("\nto review (\(draft.reviews.filter(\.required).count) required):\n")
        for item in draft.reviews { out.write("  - \(item)\n") }
        out.write("\nthen: refbridge preview --mapping \(path) \(inputs.joined(separator: " "))\n")
        if let problem = out.writeError {
            printError("cannot write to standard output (\(problem))")
            throw Exit.aborted
        }
    }

    /// `mappings/acme-leads.yaml` → `acme-leads`: the mapping's name follows the file's.
    static func baseName(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// Writes the mapping, refusing to replace a file unless `--force`. The default folder
    /// (`mappings/`) is created when missing; a folder the user named must exist.
    func write(_ text: String, to path: String, defaultFolder: Bool) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if defaultFolder, !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        // O_EXCL: a file that appears between a check and the write is not replaced either.
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL)
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                printError("\(path) already exists: pass --force to replace it, or --output to write the draft elsewhere")
            } else {
                printError("cannot write \(path) (\(String(cString: strerror(errno)))): check the folder exists and is writable")
            }
            throw Exit.configuration
        }
        let output = FileOutput(descriptor: descriptor)
        output.write(text)
        if let problem = output.writeError {
            printError("cannot write \(path) (\(problem)): check the disk space")
            throw Exit.aborted
        }
    }
}

extension RecordKind: ExpressibleByArgument {}
