public import Foundation

/// The mapping ledger as the sync job, the planner and the `ledger` commands use it: one interface,
/// two stores. `LedgerDatabase` (SQLite, one host, the embedded default) and `PostgresLedger`
/// (several hosts on one database, issue #14) keep the same promises: a `pending` mark is durable
/// before its create is sent, and an unresolved create is looked for by listing before it is ever
/// sent again.
///
/// What differs is who may send. SQLite has one writer at a time: the run lease (`hold()`), and
/// every mark succeeds. PostgreSQL lets several runs share the ledger: `hold()` only names the
/// worker, and each create is claimed at its `pending` mark, which may answer that another live
/// worker has it (see `PendingMark`).
public protocol MappingLedger: AnyObject, Sendable {
    /// Where the ledger is, for messages: a path, or a URL without its password.
    var location: String { get }

    // MARK: reads

    func entry(system: String, externalId: String) async throws -> LedgerEntry?
    /// Entries for many ids of one system (the planner's lookup for a chunk).
    func entries(system: String, externalIds: [String]) async throws -> [String: LedgerEntry]
    /// What the planner reads of each id's entry, by position: element `i` for `externalIds[i]`,
    /// nil for a nil id, an unknown one, or an id met earlier in the list.
    func planningEntries(system: String, externalIds: [String?]) async throws -> [PlanningEntry?]
    /// Every system's entries for an external id.
    func find(externalId: String) async throws -> [LedgerEntry]
    /// Creates whose outcome is unknown and that no live worker is working on, oldest first.
    func unresolved(system: String?) async throws -> [LedgerEntry]
    func runs(limit: Int) async throws -> [RunRecord]
    func stats() async throws -> LedgerStats

    // MARK: writes

    /// The gate before a create is sent: durable before the POST, and (on a shared ledger) the
    /// record's claim. Keeps an earlier request id, which the answer carries.
    @discardableResult
    func markPending(system: String, externalId: String, requestId: String, payloadHash: String?, sourceLocation: String?, runId: Int64?, at date: Date) async throws -> PendingMark
    func recordCreated(
        system: String, externalId: String, referralId: String, engagementId: String?, eTag: String?, status: String?,
        substatus: String?, payloadHash: String?, needsConnected: Bool, runId: Int64?
    ) async throws
    func markConnectedPending(system: String, externalId: String, requestId: String, at date: Date) async throws
    func recordConnectedCreated(system: String, externalId: String, connectedReferralId: String, runId: Int64?) async throws
    func recordUpdated(system: String, externalId: String, eTag: String?, status: String?, substatus: String?, payloadHash: String?, runId: Int64?) async throws
    func recordRejected(system: String, rejects: [LedgerDatabase.Reject], runId: Int64?, at date: Date) async throws
    func recordFailed(system: String, externalId: String, error: String, runId: Int64?) async throws
    /// Notes what records' source content mapped to (`SourceDigestNote`); ids it does not hold are left alone.
    func recordSourceDigests(system: String, notes: [SourceDigestNote]) async throws

    // MARK: runs

    func startRun(mode: String, configDigest: String?) async throws -> Int64
    /// Runs that started and never finished; on a shared ledger, only those whose worker is gone.
    func closeInterruptedRuns(before id: Int64) async throws -> [Int64]
    func finishRun(id: Int64, counts: RunCounts, exitCode: Int32, aborted: Bool) async throws

    // MARK: holding the ledger

    /// Before a run reads anything. SQLite: takes the run lease or throws `LedgerBusy`. PostgreSQL:
    /// registers this worker (other workers may hold the ledger too).
    func hold() async throws
    /// Names the run that holds (or shares) the ledger, for `ledger stats` and messages.
    func setLeaseRun(_ runId: Int64) async throws
    /// The heartbeat: renews the lease, or this worker's claims. False when it was lost.
    func keepHolding() async throws -> Bool
    /// Ends the run's hold: the lease, or every claim this worker still has.
    func releaseLease() async throws
    /// Seconds between two `keepHolding()` calls.
    var heartbeatInterval: TimeInterval { get }
    /// The records this worker takes first, when other live workers share the ledger; nil when it
    /// is alone (always on SQLite, whose lease admits one run).
    func workShare() async throws -> WorkShare?

    // MARK: whole ledger

    /// Every entry in (system, externalId) order, a page at a time (for `ledger migrate` and checks).
    func forEachEntry(pageSize: Int, _ body: ([LedgerEntry]) async throws -> Void) async throws
    /// Every run, oldest first.
    func allRuns() async throws -> [RunRecord]
    /// Writes entries and runs as they are (ids, dates, counts kept): the target side of `ledger migrate`.
    func importRows(entries: [LedgerEntry], runs: [RunRecord]) async throws
    /// Entry and run counts, to refuse a migration onto a ledger that already holds rows.
    func rowCounts() async throws -> (entries: Int, runs: Int)
    /// Closes connections (PostgreSQL); nothing to do for SQLite.
    func close() async
}

/// What a `pending` mark found.
public enum PendingMark: Sendable, Hashable {
    /// Marked and, on a shared ledger, claimed: send the create with this request id (an earlier
    /// attempt's, when there was one, so every attempt carries the same `MS-RequestId`).
    case marked(requestId: String)
    /// Another live worker holds the record's claim: it is that worker's share, not a failure.
    case claimedElsewhere(by: String)
    /// Another worker settled the record after this run planned it: nothing to send.
    case settledElsewhere(LedgerEntry)
    /// Claimed from a worker whose claim expired while its create was pending (it died or stalled
    /// mid-POST): the create may be on the server. Look for it by listing before sending it, with
    /// this entry's request id.
    case takenOver(LedgerEntry)
}

extension MappingLedger {
    public func workShare() async throws -> WorkShare? { nil }

    /// Through `entries(system:externalIds:)`; SQLite has a leaner query of its own.
    public func planningEntries(system: String, externalIds: [String?]) async throws -> [PlanningEntry?] {
        let found = try await entries(system: system, externalIds: externalIds.compactMap { $0 })
        var seen: Set<String> = []
        return externalIds.map { id in
            guard let id, seen.insert(id).inserted else { return nil }
            return found[id].map(PlanningEntry.init)
        }
    }

    /// One refused record; see `recordRejected(system:rejects:runId:at:)`.
    public func recordRejected(system: String, externalId: String, reason: String, sourceLocation: String?, payloadHash: String?, runId: Int64?) async throws {
        try await recordRejected(
            system: system, rejects: [LedgerDatabase.Reject(externalId: externalId, reason: reason, sourceLocation: sourceLocation, payloadHash: payloadHash)],
            runId: runId, at: Date())
    }

    public func recordRejected(system: String, rejects: [LedgerDatabase.Reject], runId: Int64?) async throws {
        try await recordRejected(system: system, rejects: rejects, runId: runId, at: Date())
    }
}
