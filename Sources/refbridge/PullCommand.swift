import ArgumentParser
import Foundation
import Ledger
import Logging
import PartnerClient
import Sync
import Writeback

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Read what changed on Partner Center since the last pull; write the CRM's write-back and incoming-leads files.",
        discussion: """
            Lists referrals newest-changed first ($orderby=updatedDateTime desc, following @odata.nextLink) back to \
            the last pull, records each status move in the ledger's history, then writes the files the mappings' \
            writeback: and incoming: sections describe. Accepting or declining an incoming referral stays a \
            person's decision in Partner Center: pull only reports it. Exit codes: 0 done; 2 configuration or \
            usage problem; 3 stopped early (API down, another run holds the ledger, a file could not be \
            written): what was recorded is kept, run it again.
            """
    )

    @Option(name: .long, help: "The job file (YAML).")
    var config: String

    @Option(name: .long, help: "Also write again the files of write-back batches made since this run id.")
    var since: Int64?

    @Flag(name: .long, help: "Log each API call (never tokens or bodies).")
    var verbose = false

    func run() async throws {
        var logger = Logger(label: "refbridge.pull")
        logger.logLevel = verbose ? .debug : .warning
        let job: PullJob
        let tokenProvider: (any TokenProvider)?
        do {
            let configuration = try JobConfiguration.load(path: config)
            job = try PullJob(configuration: configuration, logger: logger)
            tokenProvider = try APIConnection.tokenProvider(for: configuration)
        } catch {
            printError("\(error)")
            throw Exit.configuration
        }
        let summary = try await Self.pull(job, tokenProvider: tokenProvider, since: since, logger: logger)
        print(summary.text)
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    /// A pull with its API connection (the in-process sandbox for `api: sandbox`), shared with `sync`'s `pull: true`.
    static func pull(_ job: PullJob, tokenProvider: (any TokenProvider)?, since: Int64?, logger: Logger) async throws -> PullSummary {
        let connector = APIConnector(configuration: job.configuration, tokenProvider: tokenProvider, logger: logger)
        do {
            let summary = try await job.run(connect: { try await connector.connect() }, since: since)
            await connector.shutdown()
            return summary
        } catch let error as ConfigurationError {
            await connector.shutdown()
            printError("\(error)")
            throw Exit.configuration
        } catch {
            await connector.shutdown()
            printError("\(error)")
            throw Exit.aborted
        }
    }
}
