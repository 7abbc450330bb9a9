import Foundation
import Ledger
import Logging
import PartnerClient
import Referrals

/// One mapped record on its way to the API, with what the planner decided for it.
struct UploadWork: Sendable {
    var system: String
    var externalId: String
    var source: String
    var referral: Referral
    var payloadHash: String
    var action: PlannedAction
    var entry: LedgerEntry?
}

/// How one record ended.
enum RecordResult: Sendable {
    case created(externalId: String, referral: Referral, connected: Referral?, source: String, reconciled: Bool)
    case updated(externalId: String, referralId: String, engagementId: String?, source: String, notes: [String])
    case unchanged(externalId: String, referralId: String?, engagementId: String?, source: String)
    case notUpdated(externalId: String, referralId: String?, source: String, reason: String)
    case rejected(externalId: String?, source: String, reason: String)
    case failed(externalId: String, source: String, failure: Failure)
    case uncertain(UncertainCreate)
    case skipped(externalId: String?, source: String, reason: String)
}

/// Does the API work for one record: create (and the connected referral of a shared engagement) or
/// update, writing the ledger before and after every call so a crash at any point is recoverable.
struct RecordUploader: Sendable {
    var client: PartnerClient
    var ledger: LedgerDatabase
    var runId: Int64
    var logger: Logger
    let calls: CallCounter

    func perform(_ work: UploadWork) async -> RecordResult {
        switch work.action {
        case .create:
            return await create(work)
        case .finishConnected(let thenUpdate):
            guard let entry = work.entry, let referralId = entry.referralId, let engagementId = entry.engagementId else {
                return await create(work)
            }
            let primary = Referral(id: referralId, engagementId: engagementId, status: entry.status.map(ReferralStatus.init(rawValue:)))
            let result = await createConnected(work, primary: primary, reconciled: false)
            if thenUpdate, case .created = result { return await update(work) }
            return result
        case .update:
            return await update(work)
        default:
            return .unchanged(externalId: work.externalId, referralId: work.entry?.referralId, engagementId: work.entry?.engagementId, source: work.source)
        }
    }

    // MARK: create

    func create(_ work: UploadWork) async -> RecordResult {
        let requestId = work.entry?.requestId ?? UUID().uuidString.lowercased()
        let since = Date()
        do {
            try await ledger.markPending(system: work.system, externalId: work.externalId, requestId: requestId, payloadHash: work.payloadHash, sourceLocation: work.source, runId: runId, at: since)
        } catch {
            return .failed(externalId: work.externalId, source: work.source, failure: Failure(reason: "ledger write failed: \(error)", abortsRun: true))
        }
        calls.add()
        let outcome = await client.create(work.referral, requestId: requestId)
        return await settleCreate(outcome, work: work, requestId: requestId, since: since)
    }

    func settleCreate(_ outcome: CreateOutcome, work: UploadWork, requestId: String, since: Date) async -> RecordResult {
        switch outcome {
        case .created(let referral):
            return await recordCreated(referral, work: work, reconciled: false)
        case .rejected(let error):
            try? await ledger.recordRejected(system: work.system, externalId: work.externalId, reason: error.message, sourceLocation: work.source, payloadHash: work.payloadHash, runId: runId)
            return .rejected(externalId: work.externalId, source: work.source, reason: "rejected by the API: \(error.message)")
        case .uncertain(let error):
            return .uncertain(UncertainCreate(system: work.system, externalId: work.externalId, step: .primary, requestId: requestId, since: since, body: work.referral, engagementId: nil, source: work.source, payloadHash: work.payloadHash, lastError: error.description))
        case .failed(let error):
            try? await ledger.recordFailed(system: work.system, externalId: work.externalId, error: error.description, runId: runId)
            return .failed(externalId: work.externalId, source: work.source, failure: Failure(error))
        }
    }

    /// Records a primary referral the server has (answered, or found by listing) and goes on to the
    /// connected step for a shared one.
    func recordCreated(_ referral: Referral, work: UploadWork, reconciled: Bool) async -> RecordResult {
        let shared = (referral.type ?? work.referral.type) == .shared
        do {
            try await ledger.recordCreated(
                system: work.system, externalId: work.externalId, referralId: referral.id ?? "", engagementId: referral.engagementId,
                eTag: referral.eTag, status: referral.status?.rawValue, substatus: referral.substatus?.rawValue,
                payloadHash: work.payloadHash, needsConnected: shared, runId: runId)
        } catch {
            return .failed(externalId: work.externalId, source: work.source, failure: Failure(reason: "ledger write failed after the referral was created (it will be reconciled next run): \(error)", abortsRun: true))
        }
        if shared {
            return await createConnected(work, primary: referral, reconciled: reconciled)
        }
        return .created(externalId: work.externalId, referral: referral, connected: nil, source: work.source, reconciled: reconciled)
    }

    /// The second step of a shared engagement: the connected referral for Microsoft, same engagementId.
    func createConnected(_ work: UploadWork, primary: Referral, reconciled: Bool) async -> RecordResult {
        guard let engagementId = primary.engagementId else {
            return .failed(externalId: work.externalId, source: work.source, failure: Failure(reason: "the API returned no engagementId for the shared referral", abortsRun: false))
        }
        let body = Self.connectedReferral(for: work.referral, engagementId: engagementId)
        let requestId = work.entry?.connectedRequestId ?? UUID().uuidString.lowercased()
        let since = Date()
        do {
            try await ledger.markConnectedPending(system: work.system, externalId: work.externalId, requestId: requestId, at: since)
        } catch {
            return .failed(externalId: work.externalId, source: work.source, failure: Failure(reason: "ledger write failed: \(error)", abortsRun: true))
        }
        calls.add()
        switch await client.create(body, requestId: requestId) {
        case .created(let connected):
            return await recordConnected(connected, work: work, primary: primary, reconciled: reconciled)
        case .rejected(let error):
            try? await ledger.recordFailed(system: work.system, externalId: work.externalId, error: "connected referral rejected: \(error.message)", runId: runId)
            return .rejected(externalId: work.externalId, source: work.source, reason: "the shared referral was created (\(primary.id ?? "?")) but its connected referral for Microsoft was rejected: \(error.message)")
        case .uncertain(let error):
            return .uncertain(UncertainCreate(system: work.system, externalId: work.externalId, step: .connected, requestId: requestId, since: since, body: body, engagementId: engagementId, source: work.source, payloadHash: work.payloadHash, lastError: error.description))
        case .failed(let error):
            try? await ledger.recordFailed(system: work.system, externalId: work.externalId, error: "connected referral: \(error.description)", runId: runId)
            return .failed(externalId: work.externalId, source: work.source, failure: Failure(error))
        }
    }

    func recordConnected(_ connected: Referral, work: UploadWork, primary: Referral, reconciled: Bool) async -> RecordResult {
        do {
            try await ledger.recordConnectedCreated(system: work.system, externalId: work.externalId, connectedReferralId: connected.id ?? "", runId: runId)
        } catch {
            return .failed(externalId: work.externalId, source: work.source, failure: Failure(reason: "ledger write failed after the connected referral was created (it will be reconciled next run): \(error)", abortsRun: true))
        }
        return .created(externalId: work.externalId, referral: primary, connected: connected, source: work.source, reconciled: reconciled)
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

    func update(_ work: UploadWork) async -> RecordResult {
        guard let referralId = work.entry?.referralId else { return await create(work) }
        var retriedAfterConflict = false
        while true {
            let current: Referral
            do {
                calls.add()
                current = try await client.get(id: referralId)
            } catch let error as PartnerAPIError {
                try? await ledger.recordFailed(system: work.system, externalId: work.externalId, error: error.description, runId: runId)
                return .failed(externalId: work.externalId, source: work.source, failure: Failure(error))
            } catch {
                return .failed(externalId: work.externalId, source: work.source, failure: Failure(reason: "\(error)", abortsRun: false))
            }
            if current.status == .closed {
                try? await ledger.recordUpdated(system: work.system, externalId: work.externalId, eTag: current.eTag, status: current.status?.rawValue, substatus: current.substatus?.rawValue, payloadHash: work.entry?.payloadHash, runId: runId)
                return .notUpdated(externalId: work.externalId, referralId: referralId, source: work.source, reason: "the referral is Closed in Partner Center; Closed referrals are never changed")
            }
            let patch = ReferralPatch(from: current, to: work.referral)
            if patch.operations.isEmpty {
                try? await ledger.recordUpdated(system: work.system, externalId: work.externalId, eTag: current.eTag, status: current.status?.rawValue, substatus: current.substatus?.rawValue, payloadHash: work.payloadHash, runId: runId)
                return .unchanged(externalId: work.externalId, referralId: referralId, engagementId: current.engagementId, source: work.source)
            }
            do {
                calls.add()
                let updated = try await client.patch(id: referralId, operations: patch.operations, ifMatch: current.eTag)
                try? await ledger.recordUpdated(system: work.system, externalId: work.externalId, eTag: updated.eTag, status: updated.status?.rawValue, substatus: updated.substatus?.rawValue, payloadHash: work.payloadHash, runId: runId)
                return .updated(externalId: work.externalId, referralId: referralId, engagementId: updated.engagementId, source: work.source, notes: patch.notes)
            } catch let error as PartnerAPIError where error.kind == .preconditionFailed && !retriedAfterConflict {
                // Someone changed it between our read and our write: read again and retry once.
                retriedAfterConflict = true
                continue
            } catch let error as PartnerAPIError {
                if error.kind == .rejected {
                    try? await ledger.recordFailed(system: work.system, externalId: work.externalId, error: "update rejected: \(error.message)", runId: runId)
                    return .rejected(externalId: work.externalId, source: work.source, reason: "update rejected by the API: \(error.message)")
                }
                try? await ledger.recordFailed(system: work.system, externalId: work.externalId, error: error.description, runId: runId)
                return .failed(externalId: work.externalId, source: work.source, failure: Failure(error))
            } catch {
                return .failed(externalId: work.externalId, source: work.source, failure: Failure(reason: "\(error)", abortsRun: false))
            }
        }
    }
}

/// Counts API calls across tasks, for the summary and for "0 API calls" checks.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int = 1) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Why a record failed, and whether the failure says the API itself is unusable (so the run stops).
struct Failure: Sendable, CustomStringConvertible {
    var reason: String
    var abortsRun: Bool

    init(reason: String, abortsRun: Bool) {
        self.reason = reason
        self.abortsRun = abortsRun
    }

    init(_ error: PartnerAPIError) {
        reason = error.description
        switch error.kind {
        case .unauthorized, .forbidden, .auth, .network, .unavailable, .timeout, .throttled:
            abortsRun = true
        default:
            abortsRun = false
        }
    }

    var description: String { reason }
}
