public import ArgumentParser
import Foundation
import Ledger
import LedgerPostgres
import Sync

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Look into the mapping ledger: which referral each CRM record became.",
        subcommands: [Stats.self, Export.self, Show.self, Migrate.self]
    )

    struct Location: ParsableArguments {
        @Option(name: .long, help: "The ledger file, or a postgres:// URL (no password in it).") var ledger: String?
        @Option(name: .long, help: "Take the ledger from this job file.") var config: String?
        @Option(name: .long, help: "A PostgreSQL ledger's password from this environment variable (default: PGPASSWORD).") var passwordEnv: String?
        @Option(name: .long, help: "A PostgreSQL ledger's password from this file.") var passwordFile: String?

        /// The ledger's location and, for PostgreSQL, where its password comes from.
        func resolve() throws -> (location: String, password: PostgresPasswordSource) {
            var location = ledger ?? ".refbridge/ledger.sqlite"
            var password = PostgresPasswordSource.none
            if ledger == nil, let config {
                do {
                    let job = try JobConfiguration.load(path: config)
                    location = job.ledgerPath
                    password = job.ledgerPassword
                } catch {
                    printError("\(error)")
                    throw Exit.configuration
                }
            }
            if let passwordEnv { password = .environment(passwordEnv) }
            if let passwordFile { password = .file(passwordFile) }
            return (location, password)
        }

        /// The SQLite ledger, read-only (export and pull history read its tables directly).
        func open() throws -> LedgerDatabase {
            let path = try resolve().location
            if PostgresLedgerURL.isPostgres(path) {
                printError("this command reads a SQLite ledger; for \(PostgresLedgerURL.redacted(path)) use `ledger stats`, `ledger show`, or `ledger migrate` to a file first")
                throw Exit.configuration
            }
            guard FileManager.default.fileExists(atPath: path) else {
                printError("no ledger at \(path): pass --ledger PATH or --config JOB.yaml")
                throw Exit.configuration
            }
            do {
                return try LedgerDatabase.open(path: path, readOnly: true)
            } catch {
                printError("\(error)")
                throw Exit.configuration
            }
        }

        /// Either store.
        func openAny() async throws -> any MappingLedger {
            let (location, password) = try resolve()
            do {
                return try await LedgerStore.open(location: location, password: password, readOnly: true)
            } catch {
                printError("\(error)")
                throw Exit.configuration
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts by source system and state, and the last runs.")
        @OptionGroup var location: Location

        func run() async throws {
            let ledger = try await location.openAny()
            let stats = try await ledger.stats()
            await ledger.close()
            print("system".padding(toLength: 28, withPad: " ", startingAt: 0) + LedgerState.allCases.map { $0.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined())
            for (system, counts) in stats.bySystem.sorted(by: { $0.key < $1.key }) {
                print(system.padding(toLength: 28, withPad: " ", startingAt: 0) + LedgerState.allCases.map { String(counts[$0] ?? 0).padding(toLength: 10, withPad: " ", startingAt: 0) }.joined())
            }
            print("unresolved (looked for first by the next run): \(stats.unresolved)")
            if !stats.lastRuns.isEmpty { print("\nlast runs:") }
            for run in stats.lastRuns {
                // Pulls and write-backs (issue #13) keep their own numbers in the same counts.
                let counts = run.counts.map { counts in
                    switch run.mode {
                    case "pull": "changed referrals seen \(counts.read), status moves \(counts.updated), new incoming \(counts.created)"
                    case "writeback": "write-back rows \(counts.updated)"
                    default: "read \(counts.read), created \(counts.created), updated \(counts.updated), unchanged \(counts.unchanged), skipped \(counts.skipped), rejected \(counts.rejected), failed \(counts.failed)"
                    }
                } ?? "did not finish"
                print("  run \(run.id ?? 0) \(ISO8601DateFormatter().string(from: run.startedAt)) \(run.mode) exit \(run.exitCode.map(String.init) ?? "-")\(run.aborted ? " ABORTED" : ""): \(counts)")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every entry as CSV or JSON (no secrets, no customer data beyond ids).")
        @OptionGroup var location: Location
        @Option(name: .long, help: "csv or json.") var format: LedgerDatabase.ExportFormat = .csv
        @Option(name: .long, help: "Write here instead of standard output (created 0600).") var output: String?

        func run() async throws {
            let ledger = try location.open()
            let stream: FileOutput
            if let output {
                guard let file = openOutputFile(output, mode: 0o600) else {
                    printError("cannot write \(output): check the folder exists and is writable")
                    throw Exit.configuration
                }
                stream = file
            } else {
                stream = .standardOutput
            }
            do {
                try ledger.export(format: format) { bytes in
                    stream.write(bytes)
                    if let problem = stream.writeError { throw ExportStopped(reason: problem) }
                }
            } catch {
                printError("the export stopped: \(error). Check the output's disk space and permissions")
                throw Exit.aborted
            }
        }

        struct ExportStopped: Error, CustomStringConvertible {
            var reason: String
            var description: String { reason }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything the ledger knows about one CRM record.")
        @OptionGroup var location: Location
        @Option(name: .long, help: "Only this source system.") var system: String?
        @Argument(help: "The CRM record id (externalReferenceId), or a referral id for its pull history.") var externalId: String

        func run() async throws {
            if PostgresLedgerURL.isPostgres(try location.resolve().location) {
                // The shared ledger holds no pull history (sync only, for now): the entries alone.
                let ledger = try await location.openAny()
                let entries = try await ledger.find(externalId: externalId).filter { system == nil || $0.system == system }
                await ledger.close()
                guard !entries.isEmpty else {
                    printError("\(externalId) is not in the ledger")
                    throw Exit.recordsFailed
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                for entry in entries { print(String(decoding: try encoder.encode(entry), as: UTF8.self)) }
                return
            }
            let entries = try await location.open().find(externalId: externalId).filter { system == nil || $0.system == system }
            if entries.isEmpty {
                // A referral id (an incoming referral has no CRM record yet): its history alone.
                let history = try await location.open().history(referralId: externalId)
                if !history.isEmpty {
                    for row in history {
                        print("\(row.updatedDateTime)  \(row.move)\(row.statusReason.map { " (\($0))" } ?? "")  seen by run \(row.runId.map(String.init) ?? "-")")
                    }
                    return
                }
            }
            guard !entries.isEmpty else {
                printError("\(externalId) is not in the ledger")
                throw Exit.recordsFailed
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let ledger = try location.open()
            for entry in entries {
                print(String(decoding: try encoder.encode(entry), as: UTF8.self))
                // What pulls saw happen to the referral, and what was last written back (issue #13).
                let history = try await ledger.history(externalId: entry.externalId, system: entry.system)
                if !history.isEmpty { print("history:") }
                for row in history {
                    print("  \(row.updatedDateTime)  \(row.move)\(row.statusReason.map { " (\($0))" } ?? "")  seen by run \(row.runId.map(String.init) ?? "-")")
                }
                if let written = try await ledger.writebackState(system: entry.system, externalId: entry.externalId) {
                    print("written back: \(written.values) in batch \(written.batchId)\(written.files.first.map { " (\($0))" } ?? "")")
                }
            }
        }
    }
}

extension LedgerDatabase.ExportFormat: ExpressibleByArgument {}
