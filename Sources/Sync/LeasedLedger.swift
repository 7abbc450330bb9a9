import Ledger

/// The job's ledger, opened and held: every run that writes to it (sync, pull, write-back) starts
/// here, before it reads anything, so a second run on the same ledger stops at once (exit 3).
struct LeasedLedger {
    let ledger: LedgerDatabase
    /// Renews the lease until cancelled. A lost lease needs no action here: the next pending mark
    /// fails and the run stops.
    let heartbeat: Task<Void, Never>

    static func open(_ configuration: JobConfiguration) async throws -> LeasedLedger {
        let ledger: LedgerDatabase
        do {
            ledger = try LedgerDatabase.open(path: configuration.ledgerPath)
        } catch {
            throw ConfigurationError(file: configuration.ledgerPath, message: "cannot open the ledger: \(error)")
        }
        _ = try await ledger.acquireLease()
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(LedgerDatabase.heartbeatInterval))
                _ = try? await ledger.renewLease()
            }
        }
        return LeasedLedger(ledger: ledger, heartbeat: heartbeat)
    }
}
