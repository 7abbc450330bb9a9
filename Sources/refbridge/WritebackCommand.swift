import ArgumentParser
import Foundation
import Logging
import Sync
import Writeback

struct WritebackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "writeback",
        abstract: "Write the CRM's write-back and incoming-leads files from the ledger, without calling the API.",
        discussion: """
            Only records whose written-back values changed since their last write-back get a row. With --since RUN, \
            the files of batches made by runs from RUN on are written again as they were (a lost or failed import). \
            Exit codes: 0 done; 2 configuration or usage problem; 3 another run holds the ledger, or a file could \
            not be written (its rows stay in the ledger and are written by the next run).
            """
    )

    @Option(name: .long, help: "The job file (YAML).")
    var config: String

    @Option(name: .long, help: "Also write again the files of batches made since this run id (see `ledger stats`).")
    var since: Int64?

    func run() async throws {
        let job: PullJob
        do {
            job = try PullJob(configuration: try JobConfiguration.load(path: config), logger: Logger(label: "refbridge.writeback"))
        } catch {
            printError("\(error)")
            throw Exit.configuration
        }
        if !job.targets.contains(where: { $0.writeback != nil || $0.incoming != nil }) {
            printError("no mapping of \(config) has a writeback: or incoming: section: add one (see the presets in mappings/)")
            throw Exit.configuration
        }
        do {
            let (runId, result) = try await WritebackJob.run(configuration: job.configuration, targets: job.targets, since: since)
            print("writeback \(runId): \(result.updateRows) write-back row(s), \(result.incomingRows) incoming lead(s)\(result.rewrittenBatches > 0 ? ", \(result.rewrittenBatches) earlier batch(es) written again" : "")")
            for file in result.files { print("  wrote \(file)") }
        } catch let error as ConfigurationError {
            printError("\(error)")
            throw Exit.configuration
        } catch {
            printError("\(error)")
            throw Exit.aborted
        }
    }
}
