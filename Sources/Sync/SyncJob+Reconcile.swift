import Foundation
import Ledger
import PartnerClient
import Referrals

extension SyncJob {
    /// Before anything is sent: creates an earlier run left unresolved (killed, or answer lost) are
    /// looked for on the server. Found ones are recorded; the rest are re-sent by the main pass with
    /// the same request id.
    func reconcileUnresolved(ledger: LedgerDatabase, uploader: RecordUploader, state: RunState) async {
        let entries: [LedgerEntry]
        do {
            entries = try await ledger.unresolved(system: nil)
        } catch {
            state.abortReason = "cannot read the ledger: \(error)"
            return
        }
        var items: [UncertainCreate] = []
        for entry in entries {
            if entry.referralId == nil, let since = entry.pendingSince {
                items.append(UncertainCreate(system: entry.system, externalId: entry.externalId, step: .primary, requestId: entry.requestId ?? "", since: since, body: nil, engagementId: nil, source: entry.sourceLocation ?? "", payloadHash: entry.payloadHash, lastError: entry.lastError ?? ""))
            } else if entry.referralId != nil, entry.needsConnected, entry.connectedReferralId == nil, let since = entry.connectedPendingSince {
                items.append(UncertainCreate(system: entry.system, externalId: entry.externalId, step: .connected, requestId: entry.connectedRequestId ?? "", since: since, body: nil, engagementId: entry.engagementId, source: entry.sourceLocation ?? "", payloadHash: entry.payloadHash, lastError: entry.lastError ?? ""))
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
                switch item.step {
                case .primary:
                    try await ledger.recordCreated(
                        system: item.system, externalId: item.externalId, referralId: match.referral.id ?? "",
                        engagementId: match.referral.engagementId, eTag: match.referral.eTag,
                        status: match.referral.status?.rawValue, substatus: match.referral.substatus?.rawValue,
                        payloadHash: item.payloadHash, needsConnected: match.referral.type == .shared, runId: uploader.runId)
                case .connected:
                    try await ledger.recordConnectedCreated(system: item.system, externalId: item.externalId, connectedReferralId: match.referral.id ?? "", runId: uploader.runId)
                }
                state.reconciledAtStart.insert(item.system + "\u{0}" + item.externalId)
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
            let results = await Self.concurrently(found.map { .found($0) } + missing.map { .resend($0) }, limit: recordsInFlight) { (step: SettleStep) -> RecordResult in
                switch step {
                case .found(let match):
                    let work = Self.work(for: match.item)
                    switch match.item.step {
                    case .primary:
                        return await uploader.recordCreated(match.referral, work: work, reconciled: true)
                    case .connected:
                        let primary = Referral(engagementId: match.item.engagementId)
                        return await uploader.recordConnected(match.referral, work: work, primary: primary, reconciled: true)
                    }
                case .resend(let item):
                    var work = Self.work(for: item)
                    uploader.calls.add()
                    switch item.step {
                    case .primary:
                        let outcome = await uploader.client.create(item.body ?? work.referral, requestId: item.requestId)
                        return await uploader.settleCreate(outcome, work: work, requestId: item.requestId, since: item.since)
                    case .connected:
                        work.entry = nil
                        let primary = Referral(engagementId: item.engagementId)
                        switch await uploader.client.create(item.body ?? work.referral, requestId: item.requestId) {
                        case .created(let connected):
                            return await uploader.recordConnected(connected, work: work, primary: primary, reconciled: false)
                        case .uncertain(let error):
                            var again = item
                            again.lastError = error.description
                            return .uncertain(again)
                        case .rejected(let error):
                            return .rejected(externalId: item.externalId, source: item.source, reason: "connected referral rejected: \(error.message)")
                        case .failed(let error):
                            return .failed(externalId: item.externalId, source: item.source, failure: Failure(error))
                        }
                    }
                }
            }
            for result in results { state.handle(result) }
        }
    }

    /// What is still unknown after the last round stays `pending` in the ledger, so the next run
    /// reconciles it first; the report names each one.
    func leaveUncertainForNextRun(ledger: LedgerDatabase, runId: Int64, state: RunState) async {
        let items = state.uncertain
        state.uncertain = []
        for item in items {
            try? await ledger.recordFailed(system: item.system, externalId: item.externalId, error: "outcome unknown: \(item.lastError)", runId: runId)
            state.handle(.failed(externalId: item.externalId, source: item.source, failure: Failure(reason: "outcome unknown after \(configuration.upload.attempts) rounds (\(item.lastError)); the next run looks for it before sending it again", abortsRun: false)))
        }
    }

    enum SettleStep: Sendable {
        case found(Reconciler.Found)
        case resend(UncertainCreate)
    }

    static func work(for item: UncertainCreate) -> UploadWork {
        UploadWork(system: item.system, externalId: item.externalId, source: item.source, referral: item.body ?? Referral(), payloadHash: item.payloadHash ?? "", action: .create, entry: nil)
    }

    /// Runs `body` over `items` with at most `limit` at a time; results in completion order.
    static func concurrently<Item: Sendable>(_ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async -> RecordResult) async -> [RecordResult] {
        await withTaskGroup(of: RecordResult.self) { group in
            var results: [RecordResult] = []
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
