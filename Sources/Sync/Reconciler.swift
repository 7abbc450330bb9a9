import Foundation
import Logging
import PartnerClient
import Referrals
import Pipeline

/// Finds referrals whose create response was lost, by listing the newest referrals and matching
/// `externalReferenceId` on our side: the API documents no filter on it (see partner-api.md).
struct Reconciler: Sendable {
    /// Our clock and the server's may differ; list this much further back than the earliest attempt.
    static let clockSkewMargin: TimeInterval = 300

    var client: PartnerClient
    var logger: Logger

    struct Found: Sendable {
        var item: UncertainCreate
        var referral: Referral
    }

    /// Splits `items` into those the server has and those it does not.
    func reconcile(_ items: [UncertainCreate], calls: inout Int) async throws -> (found: [Found], missing: [UncertainCreate]) {
        var matcher = ReconcileMatcher(items)
        var next: String? = nil
        var pages = 0
        var unreadable = 0
        listing: while !matcher.isComplete {
            let page = try await client.listRecent(nextLink: next)
            calls += 1
            pages += 1
            unreadable += page.unreadable.count
            for referral in page.referrals where !matcher.consider(referral) { break listing }
            guard let link = page.nextLink else { break }
            next = link
        }
        logger.info("reconciled lost creates", metadata: ["sync.wanted": "\(items.count)", "sync.found": "\(matcher.matched.count)", "sync.pages": "\(pages)"])
        let result = matcher.result
        // An item the client could not read might be one of ours: sending the missing ones again
        // could create them twice. Stop instead; the next run lists again.
        if unreadable > 0, !result.missing.isEmpty {
            throw UnreadableListing(count: unreadable)
        }
        return result
    }
}

/// The listing held items the client could not read while some lost creates were not found.
struct UnreadableListing: Error, CustomStringConvertible {
    var count: Int
    var description: String {
        "the list of referrals held \(count) item(s) that could not be read, so a lost create may be among them"
    }
}

/// Which listed referral is which lost create: the pure part of reconciliation.
///
/// A primary matches a listed referral with its `externalReferenceId` that is not a connected one
/// (targeted at Microsoft's `msft` location); a connected step matches a connected referral with
/// its external id and engagement. Listing goes newest first, so a referral created before the
/// earliest attempt (less a margin for clock skew) ends the search.
struct ReconcileMatcher {
    let items: [UncertainCreate]
    private let horizon: Date?
    private var wanted: [String: [Int]] = [:]
    private(set) var matched: [Int: Referral] = [:]

    init(_ items: [UncertainCreate]) {
        self.items = items
        horizon = items.map(\.since).min()?.addingTimeInterval(-Reconciler.clockSkewMargin)
        for (index, item) in items.enumerated() { wanted[item.key.externalId, default: []].append(index) }
    }

    var isComplete: Bool { matched.count == items.count }

    /// Takes one listed referral; false once listing has gone past the horizon (stop listing).
    mutating func consider(_ referral: Referral) -> Bool {
        if let horizon, let created = referral.createdDateTime?.date, created < horizon { return false }
        guard let externalId = referral.externalReferenceId, let indexes = wanted[externalId] else { return true }
        let isConnected = referral.target?.contains(where: { $0.type == .businessProfileLocation && $0.id == "msft" }) ?? false
        for index in indexes where matched[index] == nil {
            let item = items[index]
            switch item.step {
            case .primary where !isConnected:
                matched[index] = referral
                return true
            case .connected where isConnected && (item.engagementId == nil || item.engagementId == referral.engagementId):
                matched[index] = referral
                return true
            default:
                continue
            }
        }
        return true
    }

    var result: (found: [Reconciler.Found], missing: [UncertainCreate]) {
        var found: [Reconciler.Found] = []
        var missing: [UncertainCreate] = []
        for (index, item) in items.enumerated() {
            if let referral = matched[index] { found.append(Reconciler.Found(item: item, referral: referral)) } else { missing.append(item) }
        }
        return (found, missing)
    }
}
