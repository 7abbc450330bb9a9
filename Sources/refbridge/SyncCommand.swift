import ArgumentParser
import Foundation
import Ledger
import Logging
import PartnerClient
import Sync

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Run the job: read the exports, map them, and create or update referrals.",
        discussion: """
            Exit codes: 0 every record created, updated, unchanged or skipped by a rule; 1 some records \
            rejected or failed (see errors.csv in the reports folder); 2 configuration or usage problem, \
            found before anything was sent or written; 3 the run stopped early (authentication, API down, \
            the ledger unwritable): run the same command again to resume.
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case createOnly = "create-only"
        case sync
    }

    @Option(name: .long, help: "The job file (YAML).")
    var config: String

    @Flag(name: .long, help: "Map and plan against the ledger only: no API call, no ledger write.")
    var dryRun = false

    @Flag(name: .long, help: "Finish the unresolved work of an interrupted run first (every run does; this says so).")
    var resume = false

    @Option(name: .long, help: "Read at most N input records.")
    var limit: Int?

    @Option(name: .long, help: "Override upload.concurrency (1 to 64).")
    var concurrency: Int?

    @Option(name: .long, help: "Override upload.mode (create-only or sync).")
    var mode: Mode?

    @Flag(name: .long, help: "Log each API call (never tokens or request bodies).")
    var verbose = false

    func validate() throws {
        if let concurrency, !(1...64).contains(concurrency) { throw ValidationError("--concurrency must be from 1 to 64") }
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func run() async throws {
        var logger = Logger(label: "refbridge.sync")
        logger.logLevel = verbose ? .debug : .warning
        let options = SyncOptions(limit: limit, progress: isatty(STDERR_FILENO) == 1 ? .bar : .lines)

        // Everything that can be wrong in the configuration is found here, before anything is written.
        let job: SyncJob
        let tokenProvider: (any TokenProvider)?
        do {
            var configuration = try JobConfiguration.load(path: config)
            if let concurrency { configuration.upload.concurrency = concurrency }
            if let mode { configuration.upload.mode = mode == .sync ? .sync : .createOnly }
            job = try SyncJob(configuration: configuration, options: options, logger: logger)
            tokenProvider = dryRun ? nil : try APIConnection.tokenProvider(for: configuration)
        } catch {
            printError("\(error)")
            throw Exit.configuration
        }

        let summary: SyncSummary
        if dryRun {
            summary = await job.dryRun()
        } else {
            // The API (or the in-process sandbox) is started by the job once it holds the ledger.
            let connector = APIConnector(configuration: job.configuration, tokenProvider: tokenProvider, logger: logger)
            do {
                summary = try await job.run(connect: { try await connector.connect() })
            } catch let error as LedgerBusy {
                await connector.shutdown()
                printError("\(error)")
                throw Exit.aborted
            } catch let error as ConfigurationError {
                await connector.shutdown()
                printError("\(error)")
                throw Exit.configuration
            } catch {
                await connector.shutdown()
                printError("\(error)")
                throw Exit.aborted
            }
            await connector.shutdown()
        }
        print(summary.text)
        // Issue #13: after the run, give the CRM back what was learned (`pull: true`: read Partner
        // Center first), so the nightly job is one command. The worse exit code of the two wins.
        if !dryRun, summary.exitCode != 3, job.configuration.ledgerURL != nil {
            // Pull and write-back keep their tables in the SQLite ledger only, for now (issue #14
            // ports sync): say so once instead of failing a sync that did its work.
            if job.configuration.pull { print("pull: not run, it needs a SQLite ledger for now (see the README, \"Several hosts\")") }
        } else if !dryRun, summary.exitCode != 3 {
            let follow = try await CRMFollowUp.afterSync(configuration: job.configuration, tokenProvider: tokenProvider, logger: logger)
            if follow != 0 { throw ExitCode(max(summary.exitCode, follow)) }
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
