public import Foundation
public import GRDB

/// Where a record stands with the API.
public enum LedgerState: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// A create was (or is about to be) sent and its outcome is not known yet: the next run looks
    /// for it by listing before sending it again.
    case pending
    case created
    case updated
    /// The mapping or the API refused the record; `lastError` says why.
    case rejected
    /// The last attempt failed; if no referral id is known, the create is still unresolved.
    case failed
}

/// One CRM record and the Partner Center referral made from it.
public struct LedgerEntry: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "entry"

    /// The source system (a mapping's name): ids are unique per system.
    public var system: String
    public var externalId: String
    public var state: LedgerState
    public var referralId: String?
    public var engagementId: String?
    /// A shared referral needs a second, connected referral for Microsoft.
    public var needsConnected: Bool
    public var connectedReferralId: String?
    /// The stable `MS-RequestId` of the connected referral's create, and when it was first tried.
    public var connectedRequestId: String?
    public var connectedPendingSince: Date?
    public var eTag: String?
    public var status: String?
    public var substatus: String?
    /// A digest of the exact JSON last sent (or mapped), to tell changed records from unchanged.
    public var payloadHash: String?
    /// The stable `MS-RequestId` of the create: the same on every attempt, across runs.
    public var requestId: String?
    /// When the current unresolved create was first attempted (our clock).
    public var pendingSince: Date?
    public var attempts: Int
    public var lastError: String?
    /// e.g. `leads.csv:record 12 (line 14)`.
    public var sourceLocation: String?
    public var firstRunId: Int64?
    public var lastRunId: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    /// The `SourceDigest` (hex) of the record's source content when it was last mapped, and what
    /// that content mapped to (`sourceMapsTo`): a payload hash, or `SourceOutcome.rejected(reason)`.
    /// A fact about the content, true whatever happened to the record since; see `PlanningEntry.settles`.
    public var sourceDigest: String?
    public var sourceMapsTo: String?

    public init(system: String, externalId: String, state: LedgerState, at date: Date = Date()) {
        self.system = system
        self.externalId = externalId
        self.state = state
        needsConnected = false
        attempts = 0
        createdAt = date
        updatedAt = date
    }
}

/// What one run did, as counted by the job.
public struct RunCounts: Sendable, Hashable, Codable {
    public var read = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var skipped = 0
    public var rejected = 0
    public var failed = 0
    public var reconciled = 0
    public var duplicates = 0
    /// Of the unchanged: changed records left alone (Closed referrals, or a create-only run).
    public var notUpdated = 0

    public init(
        read: Int = 0, created: Int = 0, updated: Int = 0, unchanged: Int = 0, skipped: Int = 0, rejected: Int = 0,
        failed: Int = 0, reconciled: Int = 0, duplicates: Int = 0, notUpdated: Int = 0
    ) {
        self.read = read
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
        self.skipped = skipped
        self.rejected = rejected
        self.failed = failed
        self.reconciled = reconciled
        self.duplicates = duplicates
        self.notUpdated = notUpdated
    }

    /// Older ledgers stored counts without `notUpdated`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func count(_ key: CodingKeys) -> Int { (try? container.decodeIfPresent(Int.self, forKey: key)) ?? 0 }
        self.init(
            read: count(.read), created: count(.created), updated: count(.updated), unchanged: count(.unchanged),
            skipped: count(.skipped), rejected: count(.rejected), failed: count(.failed), reconciled: count(.reconciled),
            duplicates: count(.duplicates), notUpdated: count(.notUpdated))
    }
}

/// One run of `refbridge sync`.
public struct RunRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "run"

    public var id: Int64?
    public var mode: String
    public var configDigest: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var exitCode: Int32?
    public var aborted: Bool
    public var countsJSON: String?

    public init(id: Int64?, mode: String, configDigest: String?, startedAt: Date, finishedAt: Date?, exitCode: Int32?, aborted: Bool, countsJSON: String?) {
        self.id = id
        self.mode = mode
        self.configDigest = configDigest
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.aborted = aborted
        self.countsJSON = countsJSON
    }

    public var counts: RunCounts? {
        countsJSON.flatMap { try? JSONDecoder().decode(RunCounts.self, from: Data($0.utf8)) }
    }
}

/// Counts by system and state, and the last runs.
public struct LedgerStats: Sendable {
    public var bySystem: [String: [LedgerState: Int]]
    public var unresolved: Int
    public var lastRuns: [RunRecord]

    public init(bySystem: [String: [LedgerState: Int]], unresolved: Int, lastRuns: [RunRecord]) {
        self.bySystem = bySystem
        self.unresolved = unresolved
        self.lastRuns = lastRuns
    }
}
