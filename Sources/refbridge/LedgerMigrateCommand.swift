import ArgumentParser
import Foundation
import Ledger
import LedgerPostgres
import Sync

extension LedgerCommand {
    /// `refbridge ledger migrate --from PATH --to postgres://…` (and back).
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every entry and run into an empty ledger (SQLite ↔ PostgreSQL), then compare counts and checksums.",
            discussion: """
                The target must be empty: a new file, or a database no refbridge has written to. Stop every sync on the \
                source first. A PostgreSQL password comes from --password-env or --password-file, or PGPASSWORD; never the URL.
                """)
        @Option(name: .long, help: "The ledger to copy: a file or a postgres:// URL.") var from: String
        @Option(name: .long, help: "The empty ledger to fill: a file (created) or a postgres:// URL.") var to: String
        @Option(name: .long, help: "A PostgreSQL ledger's password from this environment variable (default: PGPASSWORD).") var passwordEnv: String?
        @Option(name: .long, help: "A PostgreSQL ledger's password from this file.") var passwordFile: String?

        func run() async throws {
            var password = PostgresPasswordSource.none
            if let passwordEnv { password = .environment(passwordEnv) }
            if let passwordFile { password = .file(passwordFile) }
            guard from != to else {
                printError("--from and --to are the same ledger")
                throw Exit.configuration
            }
            if !PostgresLedgerURL.isPostgres(to), FileManager.default.fileExists(atPath: to) {
                let size = (try? FileManager.default.attributesOfItem(atPath: to)[.size] as? Int) ?? 0
                if size > 0 {
                    printError("\(to) exists: migrate into a new file (the target must be empty)")
                    throw Exit.configuration
                }
            }
            let source: any MappingLedger
            let target: any MappingLedger
            do {
                source = try await LedgerStore.open(location: from, password: password, readOnly: false)
            } catch {
                printError("\(error)")
                throw Exit.configuration
            }
            do {
                target = try await LedgerStore.open(location: to, password: password, readOnly: false, create: true)
            } catch {
                await source.close()
                printError("\(error)")
                throw Exit.configuration
            }
            let result: LedgerMigration.Result
            do {
                result = try await LedgerMigration.run(from: source, to: target) { copied in
                    if copied % 100_000 == 0 { FileHandle.standardError.write(Data("  \(copied) entries copied\n".utf8)) }
                }
            } catch {
                await source.close()
                await target.close()
                printError("the migration stopped: \(error)")
                throw Exit.aborted
            }
            await source.close()
            await target.close()
            print("from \(source.location): \(result.source)")
            print("to   \(target.location): \(result.target)")
            print(String(format: "%@ in %.1f s", result.matches ? "identical" : "DIFFERENT", result.seconds))
            guard result.matches else {
                printError("the copy differs from the source: do not use \(target.location); report this with both ledgers' `ledger stats`")
                throw Exit.aborted
            }
        }
    }
}
