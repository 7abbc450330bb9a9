import Foundation
import Referrals

/// The sandbox's referrals, in creation order, optionally kept in a journal file.
///
/// The journal is append-only NDJSON, one line per write (`{"requestId":…,"referral":{…}}`), so a
/// write costs one small append however many referrals there are; on start the file is replayed
/// (the last line of an id wins) and compacted.
actor ReferralStore {
    private(set) var referrals: [Referral] = []
    private var indexById: [String: Int] = [:]
    private var idByRequestId: [String: String] = [:]
    private var lastTimestamp = Date.distantPast
    private let journal: FileHandle?

    init(dataFile: String?) throws {
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
        lastTimestamp = loaded.compactMap { $0.updatedDateTime?.date }.max() ?? .distantPast
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
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let temporary = dataFile + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: compacted, attributes: [.posixPermissions: 0o600]) else {
            throw SandboxStartError(message: "cannot write the sandbox data file \(dataFile): check the folder exists and is writable")
        }
        _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: dataFile), withItemAt: URL(fileURLWithPath: temporary))
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

    /// A creation time strictly after every earlier one, so `$orderby=createdDateTime` is a total order.
    func nextTimestamp() -> APIDateTime {
        var now = Date()
        if now <= lastTimestamp { now = lastTimestamp.addingTimeInterval(0.000_001) }
        lastTimestamp = now
        return APIDateTime(now)
    }

    func referral(id: String) -> Referral? {
        indexById[id].map { referrals[$0] }
    }

    func referral(requestId: String) -> Referral? {
        idByRequestId[requestId].flatMap { referral(id: $0) }
    }

    func hasEngagement(_ engagementId: String) -> Bool {
        referrals.contains { $0.engagementId == engagementId }
    }

    func insert(_ referral: Referral, requestId: String?) {
        guard let id = referral.id else { return }
        indexById[id] = referrals.count
        referrals.append(referral)
        if let requestId { idByRequestId[requestId] = id }
        append(JournalEntry(requestId: requestId, referral: referral))
    }

    func replace(_ referral: Referral) {
        guard let id = referral.id, let position = indexById[id] else { return }
        referrals[position] = referral
        append(JournalEntry(requestId: nil, referral: referral))
    }

    private func append(_ entry: JournalEntry) {
        guard let journal, var line = try? JSONEncoder().encode(entry) else { return }
        line.append(UInt8(ascii: "\n"))
        journal.write(line)
    }

    func close() {
        try? journal?.synchronize()
        try? journal?.close()
    }
}

struct SandboxStartError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
