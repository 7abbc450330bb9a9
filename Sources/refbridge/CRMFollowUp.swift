import ArgumentParser
import Foundation
import Ledger
import Logging
import PartnerClient
import Sync
import Writeback

/// What `sync` does after its run for the CRM (issue #13): a pull when the job says `pull: true`,
/// else the write-back files alone when a mapping has a `writeback:` or `incoming:` section.
enum CRMFollowUp {
    /// Returns the exit code of the follow-up (0, or 3 when it stopped early).
    static func afterSync(configuration: JobConfiguration, tokenProvider: (any TokenProvider)?, logger: Logger) async throws -> Int32 {
        let job: PullJob
        do {
            job = try PullJob(configuration: configuration, logger: logger)
        } catch {
            printError("\(error)")
            return Exit.configuration.rawValue
        }
        if configuration.pull {
            let connector = APIConnector(configuration: configuration, tokenProvider: tokenProvider, logger: logger)
            do {
                let summary = try await job.run(connect: { try await connector.connect() })
                await connector.shutdown()
                print(summary.text)
                return summary.exitCode
            } catch let busy as LedgerBusy {
                await connector.shutdown()
                // Another run took the ledger the moment this one let go: it pulls and writes back itself.
                print("pull: skipped, \(busy.holder) took the ledger (it writes the files itself)")
                return 0
            } catch {
                await connector.shutdown()
                printError("pull: \(error)")
                return Exit.aborted.rawValue
            }
        }
        guard job.targets.contains(where: { $0.writeback != nil || $0.incoming != nil }) else { return 0 }
        do {
            let (runId, result) = try await WritebackJob.run(configuration: configuration, targets: job.targets, since: nil)
            print("writeback \(runId): \(result.updateRows) write-back row(s), \(result.incomingRows) incoming lead(s)")
            for file in result.files { print("  wrote \(file)") }
            return 0
        } catch let busy as LedgerBusy {
            print("writeback: skipped, \(busy.holder) took the ledger (it writes the files itself)")
            return 0
        } catch {
            printError("write-back: \(error)")
            return Exit.aborted.rawValue
        }
    }
}
