import Ledger
import Pipeline
import Referrals
import Importers
import Mapping

/// What the job does with one mapped record, decided from the ledger alone (no I/O).
enum PlannedAction: Equatable, Sendable {
    /// Never created, or a create that reconciliation did not find: POST it (with its stable request id).
    case create
    /// Created before, but the connected referral of its shared engagement is still missing.
    case finishConnected(thenUpdate: Bool)
    /// Created before and the mapped payload changed: PATCH the changed fields.
    case update
    /// Same payload as last time: no API call.
    case unchanged
    /// The mapped payload changed, but the run creates only.
    case changedButCreateOnly
    /// The referral is Closed in Partner Center and the record asks for no allowed Closed → Closed
    /// move: the sync leaves it alone (a Closed referral never reopens).
    case closed
    /// The API rejected this exact payload before; sending it again would be rejected again.
    case rejectedBefore(reason: String)
}

/// One mapped record on its way to the API, with what the planner decided for it.
struct UploadWork: Sendable {
    var key: RecordKey
    var source: String
    var referral: Referral
    var payloadHash: String
    var action: PlannedAction
    /// The whole ledger entry, when there is one: read after planning, for the records that need a
    /// call (the stable request ids, the eTag).
    var entry: LedgerEntry?
}

/// One record of a chunk, planned: settled without a call, or work for the API.
enum PlannedStep: Sendable {
    case settled(RecordOutcome)
    case upload(UploadWork)
}

struct SyncPlanner: Sendable {
    var mode: JobConfiguration.Upload.Mode

    /// - Parameter desired: the mapped referral's status and substatus, when the mapping sets them.
    func plan(payloadHash: String, entry: PlanningEntry?, desired: (ReferralStatus?, ReferralSubstatus?) = (nil, nil)) -> PlannedAction {
        guard let entry else { return .create }
        guard let _ = entry.referralId else {
            // Rejected by the API with this same payload: report it again without a call.
            if entry.state == .rejected, entry.payloadHash == payloadHash {
                return .rejectedBefore(reason: entry.lastError ?? "rejected by the API")
            }
            return .create
        }
        let changed = entry.payloadHash != payloadHash
        if entry.status == ReferralStatus.closed.rawValue {
            // The status table allows Closed → Closed with another outcome (a lead lost in Partner
            // Center, won in the CRM): that move, and only that, is sent to a Closed referral.
            if mode == .sync, changed, desired.0 == .closed, let substatus = desired.1,
                substatus.rawValue != entry.substatus,
                StatusRules.canMove(from: (.closed, entry.substatus.map(ReferralSubstatus.init(rawValue:))), to: (.closed, substatus))
            {
                return .update
            }
            return .closed
        }
        if entry.needsConnected, entry.connectedReferralId == nil {
            return .finishConnected(thenUpdate: changed && mode == .sync)
        }
        if !changed { return .unchanged }
        return mode == .sync ? .update : .changedButCreateOnly
    }

    /// Plans every record of a chunk against the ledger entries of its records: the one planning of
    /// both the dry run and the real run, so both agree on every record. One step per record, in
    /// order; an upload's `entry` is left for the caller to read whole.
    /// Also gathers in `newRejects` the records the mapping rejected for a reason the ledger does
    /// not hold yet (see `newReject`), and in `digestNotes` what records' source content mapped to
    /// where the ledger does not note it yet (see `digestNote`): decided where each outcome is made,
    /// so a run over a million rejects copies no outcome to find them.
    ///
    /// - Parameters:
    ///   - entries: by position, the ledger's entry of each record (nil: never seen). Throws when
    ///     there is not one per record: a record planned without its entry would be created twice.
    ///   - reconciled: records found on the server by this run's start-of-run reconciliation.
    func plan(
        _ chunk: RecordChunk, entries: [PlanningEntry?], reconciled: Set<RecordKey>, newRejects: inout [LedgerDatabase.Reject],
        digestNotes: inout [SourceDigestNote]
    ) throws -> [PlannedStep] {
        guard entries.count == chunk.records.count else {
            throw LedgerError("the ledger answered \(entries.count) entries for \(chunk.records.count) records")
        }
        // Entries are passed straight from the array (borrowed, not copied: a copy of an entry is
        // seven retains, for every record of a nightly run).
        var steps: [PlannedStep] = []
        steps.reserveCapacity(chunk.records.count)
        for index in chunk.records.indices {
            steps.append(
                try plan(chunk.records[index], system: chunk.system, entry: entries[index], reconciled: reconciled, newRejects: &newRejects, digestNotes: &digestNotes))
        }
        return steps
    }

    private func plan(
        _ record: StreamRecord, system: String, entry: PlanningEntry?, reconciled: Set<RecordKey>, newRejects: inout [LedgerDatabase.Reject],
        digestNotes: inout [SourceDigestNote]
    ) throws -> PlannedStep {
        let source = record.location.description
        switch record.outcome {
        case .skipped(let reason):
            return .settled(RecordOutcome(kind: .skipped, externalId: record.externalId, source: source, detail: reason))
        case .rejected(_, let isDuplicate):
            let reason = record.reason ?? ""
            var outcome = RecordOutcome(kind: .rejected, externalId: record.externalId, source: source, detail: reason)
            outcome.duplicate = isDuplicate
            // A duplicate's entry is its first occurrence's: nothing to note.
            if !isDuplicate, let id = record.externalId {
                // Noted only when the ledger keeps the reason whole: it is what a settled reject reports.
                // A new reject's note goes with it: its entry is written in the same statement.
                let note = reason.count <= LedgerDatabase.maxErrorLength
                    ? Self.digestNote(id, record: record, mapsTo: SourceMapsTo.rejected(reason: reason), entry: entry) : nil
                if var reject = Self.newReject(id, outcome: outcome, entry: entry) {
                    // In the reject's own write.
                    reject.sourceDigest = note?.sourceDigest
                    reject.sourceMapsTo = note?.mapsTo
                    newRejects.append(reject)
                } else if let note {
                    digestNotes.append(note)
                }
            }
            return .settled(outcome)
        case .sameAsLedger(let rejectedFor):
            // The stream settled it from this entry (`PlanningEntry.settles`): no mapping was needed.
            guard let entry else { throw LedgerError("a record settled by the ledger came without its entry") }
            if let reason = rejectedFor {
                return .settled(RecordOutcome(kind: .rejected, externalId: record.externalId, source: source, detail: reason))
            }
            let key = RecordKey(system: system, externalId: record.externalId ?? "")
            // Its content maps to the payload the entry holds: unchanged, Closed, or refused before.
            guard let step = settled(plan(payloadHash: entry.payloadHash ?? "", entry: entry), key: key, source: source, entry: entry, reconciled: reconciled) else {
                throw LedgerError("the ledger settled \(key.externalId) without mapping it, but it needs a call: run again")
            }
            return step
        case .mapped(let mapped):
            let key = RecordKey(system: system, externalId: record.externalId ?? "")
            // Only on an entry that exists: a note on one not written yet would be lost.
            if case .some = entry, let note = Self.digestNote(key.externalId, record: record, mapsTo: SourceMapsTo.mapped(payloadHash: mapped.payloadHash), entry: entry) {
                digestNotes.append(note)
            }
            let action = plan(payloadHash: mapped.payloadHash, entry: entry, desired: (mapped.referral.status, mapped.referral.substatus))
            if let step = settled(action, key: key, source: source, entry: entry, reconciled: reconciled) { return step }
            return .upload(UploadWork(key: key, source: source, referral: mapped.referral, payloadHash: mapped.payloadHash, action: action, entry: nil))
        }
    }

    /// The step of an action that needs no call; nil for one that does.
    private func settled(_ action: PlannedAction, key: RecordKey, source: String, entry: PlanningEntry?, reconciled: Set<RecordKey>) -> PlannedStep? {
        func settled(_ kind: RecordOutcome.Kind, _ detail: String, notUpdated: Bool = false) -> PlannedStep {
            var outcome = RecordOutcome(kind: kind, externalId: key.externalId, source: source, detail: detail)
            outcome.referralId = entry?.referralId
            outcome.engagementId = entry?.engagementId
            outcome.connectedReferralId = entry?.connectedReferralId
            outcome.notUpdated = notUpdated
            if kind == .created { outcome.reconciled = true }
            return .settled(outcome)
        }
        switch action {
        case .unchanged:
            // Found by this run's reconciliation: created, in truth, by the run that was interrupted.
            if reconciled.contains(key) { return settled(.created, "created (found after a lost response)") }
            return settled(.unchanged, "unchanged")
        case .changedButCreateOnly:
            return settled(.unchanged, "unchanged; not updated: changed in the source, but upload.mode is create-only", notUpdated: true)
        case .closed:
            return settled(.unchanged, "unchanged; not updated: the referral is Closed in Partner Center", notUpdated: true)
        case .rejectedBefore(let reason):
            return settled(.rejected, "rejected by the API in an earlier run with this same data: \(reason)")
        case .create, .update, .finishConnected:
            return nil
        }
    }

    /// What the record's source content mapped to, to note in the ledger; nil when the stream made
    /// no digest (then `mapsTo`, a digest of its own for a reject, is not computed either), or the
    /// entry notes it already.
    static func digestNote(_ externalId: String, record: StreamRecord, mapsTo: @autoclosure () -> String, entry: PlanningEntry?) -> SourceDigestNote? {
        guard let digest = record.sourceDigest else { return nil }
        let hex = digest.hex
        let outcome = mapsTo()
        if let entry, entry.sourceDigest == hex, entry.sourceMapsTo == outcome { return nil }
        return SourceDigestNote(externalId: externalId, sourceDigest: hex, mapsTo: outcome)
    }

    /// A record the mapping refused, to be noted in the ledger so `ledger show` tells why it was
    /// never sent; nil when the ledger says so already.
    static func newReject(_ externalId: String, outcome: RecordOutcome, entry: PlanningEntry?) -> LedgerDatabase.Reject? {
        let reason = outcome.detail
        // Compared whole first: the ledger keeps a reason cut to `maxErrorLength`, but nearly every
        // reason is shorter, and a re-run over a million rejects should not copy a million strings.
        if let entry, let noted = entry.lastError, entry.referralId != nil || entry.state == .rejected,
            noted == reason || noted == String(reason.prefix(LedgerDatabase.maxErrorLength))
        {
            return nil
        }
        return LedgerDatabase.Reject(externalId: externalId, reason: reason, sourceLocation: outcome.source)
    }
}
