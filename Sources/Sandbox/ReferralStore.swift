import Foundation
import Referrals

/// The sandbox's referrals, in creation order, optionally kept in a journal file.
///
/// The journal is append-only NDJSON, one line per write (`{"requestId":…,"referral":{…}}`), so a
/// write costs one small append however many referrals there are; on start the file is replayed
/// (the last line of an id wins) and compacted (written to a temporary file, then renamed over).
/// This is chosen over rewriting a whole-state snapshot after each change: a soak holding 10k
/// referrals would rewrite megabytes per write, and a crash between writes loses at most the last line.
actor ReferralStore {
    private(set) var referrals: [Referral] = []
    private var indexById: [String: Int] = [:]
    private var idByRequestId: [String: String] = [:]
    private var engagementIds: Set<String> = []
    private var lastTimestamp = Date.distantPast
    private var journal: FileHandle?
    private let now: @Sendable () -> Date

    init(dataFile: String?, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.now = now
        guard let dataFile else {
            journal = nil
            return
        }
        var loaded: [Referral] = []
        var index: [String: Int] = [:]
        var requests: [String: String] = [:]
        if let data = FileManager.default.contents(atPath: dataFile) {
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                // A line cut short by a crash is the last one: skip it, keep the rest.
                guard let entry = try? decoder.decode(JournalEntry.self, from: Data(line)), let id = entry.referral.id else { continue }
                if let position = index[id] { loaded[position] = entry.referral } else {
                    index[id] = loaded.count
                    loaded.append(entry.referral)
                }
                if let requestId = entry.requestId { requests[requestId] = id }
            }
        }
        referrals = loaded
        indexById = index
        idByRequestId = requests
        engagementIds = Set(loaded.compactMap(\.engagementId))
        lastTimestamp = loaded.flatMap { [$0.createdDateTime?.date, $0.updatedDateTime?.date].compactMap { $0 } }.max() ?? .distantPast
        // Compact: rewrite the replayed state, then append from there.
        let encoder = JSONEncoder()
        var compacted = Data()
        let requestOf = Dictionary(requests.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for referral in loaded {
            if let line = try? encoder.encode(JournalEntry(requestId: referral.id.flatMap { requestOf[$0] }, referral: referral)) {
                compacted.append(line)
                compacted.append(UInt8(ascii: "\n"))
            }
        }
        let folder = (dataFile as NSString).deletingLastPathComponent
        // The journal holds customer data: a folder made for it is the owner's alone (as the file is, 0600).
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let temporary = dataFile + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: compacted, attributes: [.posixPermissions: 0o600]) else {
            throw SandboxStartError(message: "cannot write the sandbox data file \(dataFile): check the folder exists and is writable")
        }
        // rename(2) replaces the old file atomically, whether or not it exists.
        guard rename(temporary, dataFile) == 0 else {
            throw SandboxStartError(message: "cannot replace the sandbox data file \(dataFile): \(String(cString: strerror(errno)))")
        }
        guard let handle = FileHandle(forWritingAtPath: dataFile) else {
            throw SandboxStartError(message: "cannot open the sandbox data file \(dataFile) for writing")
        }
        handle.seekToEndOfFile()
        journal = handle
    }

    struct JournalEntry: Codable {
        var requestId: String?
        var referral: Referral
    }

    /// A time strictly after every earlier one, so `$orderby=createdDateTime` is a total order.
    private func nextTimestamp() -> APIDateTime {
        var now = self.now()
        if now <= lastTimestamp { now = lastTimestamp.addingTimeInterval(0.000_001) }
        lastTimestamp = now
        return APIDateTime(now)
    }

    /// Rewrites every referral's links for the server's URL this time (a restart may pick
    /// another port). In memory only: links are derived, the journal need not change.
    func relink(_ links: (Referral) -> ReferralLinks?) {
        for index in referrals.indices { referrals[index].links = links(referrals[index]) }
    }

    func referral(id: String) -> Referral? {
        indexById[id].map { referrals[$0] }
    }

    func referral(requestId: String) -> Referral? {
        idByRequestId[requestId].flatMap { referral(id: $0) }
    }

    var count: Int { referrals.count }

    func hasEngagement(_ engagementId: String) -> Bool {
        engagementIds.contains(engagementId)
    }

    /// Adds a new referral. `stamp` sets its dates from a time later than every earlier one, in
    /// the same step as the insertion, so store order is creation order even under concurrent
    /// creates. With `reuseRequestId` and a `requestId` seen before, returns the referral created
    /// for it instead (`created: false`), also atomically.
    func insert(
        _ referral: Referral, requestId: String?, reuseRequestId: Bool,
        stamp: @Sendable (inout Referral, APIDateTime) -> Void
    ) -> (referral: Referral, created: Bool) {
        if reuseRequestId, let requestId, let existing = self.referral(requestId: requestId) { return (existing, false) }
        var referral = referral
        stamp(&referral, nextTimestamp())
        guard let id = referral.id else { return (referral, false) }
        indexById[id] = referrals.count
        referrals.append(referral)
        if let engagementId = referral.engagementId { engagementIds.insert(engagementId) }
        if let requestId { idByRequestId[requestId] = id }
        append(JournalEntry(requestId: requestId, referral: referral))
        return (referral, true)
    }

    /// Adds referrals exactly as given (a recorded answer of the real service), ids and dates
    /// included; one whose id is already stored replaces it.
    func seed(_ recorded: [Referral]) {
        for referral in recorded {
            guard let id = referral.id else { continue }
            if let position = indexById[id] { referrals[position] = referral } else {
                indexById[id] = referrals.count
                referrals.append(referral)
            }
            if let engagementId = referral.engagementId { engagementIds.insert(engagementId) }
            append(JournalEntry(requestId: nil, referral: referral))
        }
    }

    /// Replaces the stored referral with `referral` if its eTag is still `expectedETag`, `stamp`
    /// setting the update's dates; nil when another write came first (the caller answers 412).
    func replace(
        _ referral: Referral, expectedETag: String?, stamp: @Sendable (inout Referral, APIDateTime) -> Void
    ) -> Referral? {
        guard let id = referral.id, let position = indexById[id], referrals[position].eTag == expectedETag else { return nil }
        var referral = referral
        stamp(&referral, nextTimestamp())
        referrals[position] = referral
        append(JournalEntry(requestId: nil, referral: referral))
        return referral
    }

    /// Moves every referral whose `expirationDateTime` has passed and that is not Closed to
    /// Closed/Expired, as the service archives referrals nobody acted on (partner-api.md §3.1);
    /// `eTag` gives each its new eTag. Returns how many expired.
    @discardableResult
    func expireDue(eTag: () -> String) -> Int {
        let current = now()
        var expired = 0
        for index in referrals.indices {
            guard referrals[index].status != .closed, let expiry = referrals[index].expirationDateTime, expiry.date <= current else { continue }
            var referral = referrals[index]
            let stamp = nextTimestamp()
            referral.status = .closed
            referral.substatus = .expired
            referral.closedDateTime = stamp
            referral.updatedDateTime = stamp
            referral.eTag = eTag()
            referrals[index] = referral
            append(JournalEntry(requestId: nil, referral: referral))
            expired += 1
        }
        return expired
    }

    private func append(_ entry: JournalEntry) {
        guard let journal, var line = try? JSONEncoder().encode(entry) else { return }
        line.append(UInt8(ascii: "\n"))
        // A failed write (disk full) must not take the server down; the state in memory stays right.
        try? journal.write(contentsOf: line)
    }

    /// Flushes and closes the journal; later writes stay in memory only. Safe to call twice.
    func close() {
        try? journal?.synchronize()
        try? journal?.close()
        journal = nil
    }
}

struct SandboxStartError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
