import Foundation
import Synchronization
import Ledger
import LedgerPostgres
import Logging
import PartnerClient
import Pipeline
import Referrals

/// Does the API work for one record and owns every outcome of it: create (and the connected
/// referral of a shared engagement), update, and the settling of creates whose answer was lost.
/// The ledger is written before and after every call, so a crash at any point is recoverable.
struct RecordUploader: Sendable {
    var client: PartnerClient
    var ledger: any MappingLedger
    var runId: Int64
    let calls: CallCounter

    func perform(_ work: UploadWork) async -> UploadResult {
        switch work.action {
        case .finishConnected(let thenUpdate):
            guard let entry = work.entry, let referralId = entry.referralId, let engagementId = entry.engagementId else {
                return await create(work)
            }
            let requestId = entry.connectedRequestId ?? Self.newRequestId()
            let result = await sendConnected(work, primaryId: referralId, engagementId: engagementId, requestId: requestId, reconciled: false)
            if thenUpdate, case .settled(let outcome) = result, outcome.kind == .created { return .settled(await update(work)) }
            return result
        case .update:
            return .settled(await update(work))
        default:
            return await create(work)
        }
    }

    static func newRequestId() -> String { UUID().uuidString.lowercased() }

    // MARK: create

    func create(_ work: UploadWork) async -> UploadResult {
        let requestId = work.entry?.requestId ?? Self.newRequestId()
        return await send(work, requestId: requestId, since: Date())
    }

    /// Marks the create pending (keeping an earlier request id and first attempt) and POSTs it.
    func send(_ work: UploadWork, requestId: String, since: Date) async -> UploadResult {
        let sendId: String
        do {
            switch try await ledger.markPending(system: work.key.system, externalId: work.key.externalId, requestId: requestId, payloadHash: work.payloadHash, sourceLocation: work.source, runId: runId, at: since) {
            case .marked(let marked):
                sendId = marked
            case .claimedElsewhere(let holder):
                // A shared ledger: another worker is sending this one. Its share, not a failure.
                return .settled(outcome(.skipped, work, "claimed by \(holder), which is sending it"))
            case .settledElsewhere(let entry):
                var result = outcome(.unchanged, work, "created by another worker meanwhile")
                result.referralId = entry.referralId
                return .settled(result)
            case .takenOver(let entry):
                // Another worker died (or stalled) with this create pending: it may be on the
                // server. It joins the creates whose answer was lost, looked for in one listing
                // after the main pass and sent again (same request id) only if it is not there.
                return .uncertain(UncertainCreate(
                    key: work.key, step: .primary, requestId: entry.requestId ?? requestId, since: entry.pendingSince ?? since, work: work,
                    source: work.source, payloadHash: work.payloadHash, lastError: "taken over from a worker that stopped with it pending"))
            }
        } catch {
            return .settled(failed(work, "ledger write failed: \(error)", abortsRun: true))
        }
        calls.add()
        switch await client.create(work.referral, requestId: sendId) {
        case .created(let referral):
            return await recordFound(referral, work: work, reconciled: false)
        case .rejected(let error):
            try? await ledger.recordRejected(system: work.key.system, externalId: work.key.externalId, reason: error.message, sourceLocation: work.source, payloadHash: work.payloadHash, runId: runId)
            return .settled(outcome(.rejected, work, "rejected by the API: \(error.message)"))
        case .uncertain(let error):
            return .uncertain(UncertainCreate(key: work.key, step: .primary, requestId: sendId, since: since, work: work, source: work.source, payloadHash: work.payloadHash, lastError: error.description))
        case .failed(let error):
            try? await ledger.recordFailed(system: work.key.system, externalId: work.key.externalId, error: error.description, runId: runId)
            return .settled(failed(work, error))
        }
    }

    /// Records a primary referral the server has, answered or found by listing: the one place a
    /// created referral enters the ledger. A shared one goes on to its connected step when the
    /// mapped record is at hand; otherwise (start-of-run reconciliation) the main pass does it.
    func recordFound(_ referral: Referral, work: UploadWork, reconciled: Bool, continueShared: Bool = true) async -> UploadResult {
        let shared = (referral.type ?? work.referral.type) == .shared
        do {
            try await ledger.recordCreated(
                system: work.key.system, externalId: work.key.externalId, referralId: referral.id ?? "", engagementId: referral.engagementId,
                eTag: referral.eTag, status: referral.status?.rawValue, substatus: referral.substatus?.rawValue,
                payloadHash: work.payloadHash, needsConnected: shared, runId: runId)
        } catch {
            return .settled(failed(work, "ledger write failed after the referral was created (it will be reconciled next run): \(error)", abortsRun: true))
        }
        if shared, continueShared {
            guard let engagementId = referral.engagementId else {
                return .settled(failed(work, "the API returned no engagementId for the shared referral", abortsRun: false))
            }
            return await sendConnected(work, primaryId: referral.id ?? "", engagementId: engagementId, requestId: work.entry?.connectedRequestId ?? Self.newRequestId(), reconciled: reconciled)
        }
        var result = outcome(.created, work, reconciled ? "created (found after a lost response)" : "created")
        result.referralId = referral.id
        result.engagementId = referral.engagementId
        result.reconciled = reconciled
        return .settled(result)
    }

    /// The second step of a shared engagement: the connected referral for Microsoft, same engagementId.
    func sendConnected(_ work: UploadWork, primaryId: String, engagementId: String, requestId: String, reconciled: Bool, since: Date = Date()) async -> UploadResult {
        let body = Self.connectedReferral(for: work.referral, engagementId: engagementId)
        do {
            try await ledger.markConnectedPending(system: work.key.system, externalId: work.key.externalId, requestId: requestId, at: since)
        } catch let claimed as RecordClaimedElsewhere {
            switch claimed.reason {
            case .liveClaim: return .settled(outcome(.skipped, work, "connected referral \(claimed), which is sending it"))
            case .settled: return .settled(outcome(.unchanged, work, "connected referral \(claimed)"))
            case .leftPending: return .settled(failed(work, "connected referral \(claimed)", abortsRun: false))
            }
        } catch {
            return .settled(failed(work, "ledger write failed: \(error)", abortsRun: true))
        }
        calls.add()
        switch await client.create(body, requestId: requestId) {
        case .created(let connected):
            return await recordConnectedFound(connected, work: work, primaryId: primaryId, engagementId: engagementId, reconciled: reconciled)
        case .rejected(let error):
            try? await ledger.recordFailed(system: work.key.system, externalId: work.key.externalId, error: "connected referral rejected: \(error.message)", runId: runId)
            return .settled(outcome(.rejected, work, "the shared referral was created (\(primaryId)) but its connected referral for Microsoft was rejected: \(error.message)"))
        case .uncertain(let error):
            return .uncertain(UncertainCreate(key: work.key, step: .connected, requestId: requestId, since: since, work: work, primaryReferralId: primaryId, engagementId: engagementId, source: work.source, payloadHash: work.payloadHash, lastError: error.description))
        case .failed(let error):
            try? await ledger.recordFailed(system: work.key.system, externalId: work.key.externalId, error: "connected referral: \(error.description)", runId: runId)
            return .settled(failed(work, error))
        }
    }

    /// Records a connected referral the server has, answered or found by listing.
    func recordConnectedFound(_ connected: Referral, work: UploadWork, primaryId: String?, engagementId: String?, reconciled: Bool) async -> UploadResult {
        do {
            try await ledger.recordConnectedCreated(system: work.key.system, externalId: work.key.externalId, connectedReferralId: connected.id ?? "", runId: runId)
        } catch {
            return .settled(failed(work, "ledger write failed after the connected referral was created (it will be reconciled next run): \(error)", abortsRun: true))
        }
        var result = outcome(.created, work, reconciled ? "created (found after a lost response)" : "created")
        result.referralId = primaryId
        result.engagementId = engagementId
        result.connectedReferralId = connected.id
        result.reconciled = reconciled
        return .settled(result)
    }

    /// Sends a create whose answer was lost and that listing did not find, with the same request id.
    func resend(_ item: UncertainCreate) async -> UploadResult {
        guard let work = item.work else {
            return .settled(RecordOutcome(kind: .failed, externalId: item.key.externalId, source: item.source, detail: "outcome unknown: \(item.lastError)"))
        }
        switch item.step {
        case .primary:
            return await send(work, requestId: item.requestId, since: item.since)
        case .connected:
            return await sendConnected(work, primaryId: item.primaryReferralId ?? "", engagementId: item.engagementId ?? "", requestId: item.requestId, reconciled: false, since: item.since)
        }
    }

    /// The connected referral of a shared engagement: the same customer and deal, for Microsoft.
    static func connectedReferral(for referral: Referral, engagementId: String) -> Referral {
        var connected = referral
        connected.engagementId = engagementId
        connected.type = .shared
        connected.target = [.microsoft]
        return connected
    }

    // MARK: update

    func update(_ work: UploadWork) async -> RecordOutcome {
        guard let referralId = work.entry?.referralId else {
            if case .settled(let outcome) = await create(work) { return outcome }
            return failed(work, "outcome unknown: the create's answer was lost; the next run looks for it", abortsRun: false)
        }
        let system = work.key.system, externalId = work.key.externalId
        var retriedAfterConflict = false
        while true {
            let current: Referral
            do {
                calls.add()
                current = try await client.get(id: referralId)
            } catch let error as PartnerAPIError {
                try? await ledger.recordFailed(system: system, externalId: externalId, error: error.description, runId: runId)
                return failed(work, error)
            } catch {
                return failed(work, "\(error)", abortsRun: false)
            }
            var result = outcome(.unchanged, work, "unchanged")
            result.referralId = referralId
            result.engagementId = current.engagementId
            var patch = ReferralPatch(from: current, to: work.referral)
            if current.status == .closed {
                // Our decision (the table allows more): a Closed referral gets only the outcome of
                // its closing from the CRM (Closed/Lost → Closed/Won); other changes are reported
                // as not sent, and a referral that expired under the sync is never created again.
                let outcomeOnly = patch.operations.filter { ["/status", "/substatus", "/statusReason"].contains($0.path) }
                let leftOut = patch.operations.count - outcomeOnly.count
                guard outcomeOnly.contains(where: { $0.path == "/substatus" }) else {
                    try? await ledger.recordUpdated(system: system, externalId: externalId, eTag: current.eTag, status: current.status?.rawValue, substatus: current.substatus?.rawValue, payloadHash: work.entry?.payloadHash, runId: runId)
                    result.notUpdated = true
                    result.detail = current.substatus == .expired
                        ? "unchanged; not updated: the referral expired in Partner Center\(current.expirationDateTime.map { " on \($0)" } ?? ""); a Closed referral cannot reopen"
                        : "unchanged; not updated: the referral is Closed in Partner Center"
                    return result
                }
                patch.operations = outcomeOnly
                if leftOut > 0 { patch.notes.append("\(leftOut) other changed field(s) not sent: the referral is Closed in Partner Center") }
            }
            if patch.operations.isEmpty {
                try? await ledger.recordUpdated(system: system, externalId: externalId, eTag: current.eTag, status: current.status?.rawValue, substatus: current.substatus?.rawValue, payloadHash: work.payloadHash, runId: runId)
                return result
            }
            do {
                calls.add()
                let updated = try await client.patch(id: referralId, operations: patch.operations, ifMatch: current.eTag)
                try? await ledger.recordUpdated(system: system, externalId: externalId, eTag: updated.eTag, status: updated.status?.rawValue, substatus: updated.substatus?.rawValue, payloadHash: work.payloadHash, runId: runId)
                result.kind = .updated
                result.engagementId = updated.engagementId
                result.detail = patch.notes.isEmpty ? "updated" : "updated; " + patch.notes.joined(separator: "; ")
                return result
            } catch let error as PartnerAPIError where error.kind == .preconditionFailed && !retriedAfterConflict {
                // Someone changed it between our read and our write: read again and retry once.
                retriedAfterConflict = true
                continue
            } catch let error as PartnerAPIError {
                if error.kind == .rejected {
                    try? await ledger.recordFailed(system: system, externalId: externalId, error: "update rejected: \(error.message)", runId: runId)
                    return outcome(.rejected, work, "update rejected by the API: \(error.message)")
                }
                try? await ledger.recordFailed(system: system, externalId: externalId, error: error.description, runId: runId)
                return failed(work, error)
            } catch {
                return failed(work, "\(error)", abortsRun: false)
            }
        }
    }

    // MARK: outcomes

    private func outcome(_ kind: RecordOutcome.Kind, _ work: UploadWork, _ detail: String) -> RecordOutcome {
        RecordOutcome(kind: kind, externalId: work.key.externalId, source: work.source, detail: detail)
    }

    private func failed(_ work: UploadWork, _ reason: String, abortsRun: Bool) -> RecordOutcome {
        var result = outcome(.failed, work, reason)
        result.abortsRun = abortsRun
        return result
    }

    /// An API failure; those that say the API itself is unusable count towards stopping the run.
    private func failed(_ work: UploadWork, _ error: PartnerAPIError) -> RecordOutcome {
        switch error.kind {
        case .unauthorized, .forbidden, .auth, .network, .unavailable, .timeout, .throttled:
            return failed(work, error.description, abortsRun: true)
        default:
            return failed(work, error.description, abortsRun: false)
        }
    }
}

/// Counts API calls across tasks, for the summary and for "0 API calls" checks.
final class CallCounter: Sendable {
    private let count = Mutex(0)
    func add(_ n: Int = 1) { count.withLock { $0 += n } }
    var value: Int { count.withLock { $0 } }
}
