import Foundation
import Ledger
import PartnerClient
import Pipeline
import Referrals
import Logging

extension SyncJob {
    /// Before anything is sent: creates an earlier run left unresolved (killed, or answer lost) are
    /// looked for on the server. Found ones are recorded; the rest are re-sent by the main pass with
    /// the same request id.
    func reconcileUnresolved(ledger: any MappingLedger, uploader: RecordUploader, state: RunState) async {
        let entries: [LedgerEntry]
        do {
            entries = try await ledger.unresolved(system: nil)
        } catch {
            state.abortReason = "cannot read the ledger: \(error)"
            return
        }
        var items: [UncertainCreate] = []
        for entry in entries {
            let key = RecordKey(system: entry.system, externalId: entry.externalId)
            let source = entry.sourceLocation ?? ""
            if entry.referralId == nil, let since = entry.pendingSince {
                items.append(UncertainCreate(key: key, step: .primary, requestId: entry.requestId ?? "", since: since, source: source, payloadHash: entry.payloadHash, lastError: entry.lastError ?? ""))
            } else if entry.referralId != nil, let since = entry.connectedPendingSince {
                // A connected step that was never tried has nothing to look for: the main pass sends it.
                items.append(UncertainCreate(key: key, step: .connected, requestId: entry.connectedRequestId ?? "", since: since, primaryReferralId: entry.referralId, engagementId: entry.engagementId, source: source, payloadHash: entry.payloadHash, lastError: entry.lastError ?? ""))
            }
        }
        guard !items.isEmpty else { return }
        logger.info("reconciling creates left unresolved by an earlier run", metadata: ["sync.count": "\(items.count)"])
        let reconciler = Reconciler(client: uploader.client, logger: logger)
        var calls = 0
        do {
            let (found, _) = try await reconciler.reconcile(items, calls: &calls)
            uploader.calls.add(calls)
            for match in found {
                let item = match.item
                // Only the ledger knows the record here: the main pass sends what is still missing.
                let work = UploadWork(key: item.key, source: item.source, referral: Referral(), payloadHash: item.payloadHash ?? "", action: .create, entry: nil)
                let result: UploadResult
                switch item.step {
                case .primary:
                    result = await uploader.recordFound(match.referral, work: work, reconciled: true, continueShared: false)
                case .connected:
                    result = await uploader.recordConnectedFound(match.referral, work: work, primaryId: item.primaryReferralId, engagementId: item.engagementId, reconciled: true)
                }
                if case .settled(let outcome) = result, outcome.kind == .failed {
                    state.abortReason = "cannot record a referral found by reconciliation: \(outcome.detail)"
                    return
                }
                state.reconciledAtStart.insert(item.key)
            }
        } catch {
            uploader.calls.add(calls)
            // Re-sending without knowing would risk duplicates: stop here, the ledger is untouched.
            state.abortReason = "cannot list referrals to reconcile \(items.count) unresolved creates: \(error). Nothing was re-sent; run again when the API answers."
        }
    }

    /// After the main pass: creates whose answer was lost are looked for by listing; the ones the
    /// server does not have are sent again with the same request id, for up to `upload.attempts` rounds.
    func settleUncertain(uploader: RecordUploader, state: RunState) async {
        let reconciler = Reconciler(client: uploader.client, logger: logger)
        var round = 0
        while !state.uncertain.isEmpty, round < configuration.upload.attempts, state.abortReason == nil {
            round += 1
            let items = state.uncertain
            state.uncertain = []
            var calls = 0
            let found: [Reconciler.Found]
            let missing: [UncertainCreate]
            do {
                (found, missing) = try await reconciler.reconcile(items, calls: &calls)
                uploader.calls.add(calls)
            } catch {
                uploader.calls.add(calls)
                state.uncertain = items
                state.abortReason = "cannot list referrals to reconcile \(items.count) creates whose answer was lost: \(error). Nothing was re-sent; run again to resume."
                return
            }
            let steps = found.map { SettleStep.found($0) } + missing.map { SettleStep.resend($0) }
            let results = await Self.concurrently(steps, limit: recordsInFlight) { step in
                switch step {
                case .found(let match):
                    guard let work = match.item.work else { return .uncertain(match.item) }
                    switch match.item.step {
                    case .primary:
                        return await uploader.recordFound(match.referral, work: work, reconciled: true)
                    case .connected:
                        return await uploader.recordConnectedFound(match.referral, work: work, primaryId: match.item.primaryReferralId, engagementId: match.item.engagementId, reconciled: true)
                    }
                case .resend(let item):
                    return await uploader.resend(item)
                }
            }
            for result in results { state.collect(result) }
        }
    }

    /// What is still unknown after the last round stays `pending` in the ledger, so the next run
    /// reconciles it first; the report names each one.
    func leaveUncertainForNextRun(ledger: any MappingLedger, runId: Int64, state: RunState) async {
        let items = state.uncertain
        state.uncertain = []
        for item in items {
            try? await ledger.recordFailed(system: item.key.system, externalId: item.key.externalId, error: "outcome unknown: \(item.lastError)", runId: runId)
            var outcome = RecordOutcome(kind: .failed, externalId: item.key.externalId, source: item.source, detail: "outcome unknown after \(configuration.upload.attempts) rounds (\(item.lastError)); the next run looks for it before sending it again")
            outcome.abortsRun = false
            state.handle(outcome)
        }
    }

    enum SettleStep: Sendable {
        case found(Reconciler.Found)
        case resend(UncertainCreate)
    }

    /// Runs `body` over `items` with at most `limit` at a time; results in completion order.
    static func concurrently<Item: Sendable>(_ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async -> UploadResult) async -> [UploadResult] {
        await withTaskGroup(of: UploadResult.self) { group in
            var results: [UploadResult] = []
            var iterator = items.makeIterator()
            var inFlight = 0
            while inFlight < limit, let item = iterator.next() {
                group.addTask { await body(item) }
                inFlight += 1
            }
            while let result = await group.next() {
                results.append(result)
                if let item = iterator.next() { group.addTask { await body(item) } }
            }
            return results
        }
    }
}
