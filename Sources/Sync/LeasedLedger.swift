import Ledger

/// The job's ledger, opened and held: every run that writes to it (sync, pull, write-back) starts
/// here, before it reads anything. On SQLite a second run on the same ledger stops at once
/// (exit 3); on PostgreSQL it joins as another worker and the records' claims split the work.
struct LeasedLedger {
    let ledger: any MappingLedger
    /// Renews the lease (or this worker's claims) until cancelled. A lost one needs no action
    /// here: the next pending mark fails and the run stops.
    let heartbeat: Task<Void, Never>

    static func open(_ configuration: JobConfiguration) async throws -> LeasedLedger {
        let ledger: any MappingLedger
        do {
            ledger = try await LedgerStore.open(configuration)
        } catch {
            throw ConfigurationError(file: configuration.ledgerPath, message: "cannot open the ledger: \(error)")
        }
        do {
            try await ledger.hold()
        } catch {
            await ledger.close()
            throw error
        }
        let interval = ledger.heartbeatInterval
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                _ = try? await ledger.keepHolding()
            }
        }
        return LeasedLedger(ledger: ledger, heartbeat: heartbeat)
    }
}
