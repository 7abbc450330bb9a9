import ArgumentParser
import Foundation
import Logging
import Sync

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Run the job: read the exports, map them, and create or update referrals.",
        discussion: """
            Exit codes: 0 every record created, updated or unchanged; 1 some records rejected or failed \
            (see errors.csv in the reports folder); 2 configuration or usage error; 3 the run aborted \
            (authentication, API down): run the same command again to resume.
            """
    )

    @Option(name: .long, help: "The job file (YAML).")
    var config: String

    @Flag(name: .long, help: "Map and plan against the ledger only: no API call, no ledger write.")
    var dryRun = false

    @Flag(name: .long, help: "Finish the unresolved work of an interrupted run first (every run does; this says so).")
    var resume = false

    @Option(name: .long, help: "Read at most N input records.")
    var limit: Int?

    @Option(name: .long, help: "Override upload.concurrency.")
    var concurrency: Int?

    @Option(name: .long, help: "Override upload.mode (create-only or sync).")
    var mode: String?

    @Flag(name: .long, help: "Log each API call (never tokens or request bodies).")
    var verbose = false

    func run() async throws {
        var job: JobConfiguration
        do {
            job = try JobConfiguration.load(path: config)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        if let concurrency {
            guard (1...64).contains(concurrency) else {
                printError("--concurrency must be from 1 to 64")
                throw ExitCode(2)
            }
            job.upload.concurrency = concurrency
        }
        if let mode {
            guard let value = JobConfiguration.Upload.Mode(rawValue: mode) else {
                printError("--mode must be create-only or sync")
                throw ExitCode(2)
            }
            job.upload.mode = value
        }
        var logger = Logger(label: "refbridge.sync")
        logger.logLevel = verbose ? .debug : .warning
        let onTerminal = isatty(STDERR_FILENO) == 1
        let options = SyncOptions(dryRun: dryRun, resume: resume, limit: limit, progress: onTerminal ? .bar : .lines)
        let summary: SyncSummary
        do {
            summary = try await SyncJob(configuration: job, options: options, logger: logger).run()
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        print(summary.text)
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("refbridge: " + message + "\n").utf8))
}
