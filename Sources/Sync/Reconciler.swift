import Foundation
import Logging
import PartnerClient
import Referrals

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
        guard let earliest = items.map(\.since).min() else { return ([], []) }
        let horizon = earliest.addingTimeInterval(-Self.clockSkewMargin)
        var wanted: [String: [Int]] = [:]
        for (index, item) in items.enumerated() { wanted[item.key.externalId, default: []].append(index) }
        var matched: [Int: Referral] = [:]
        var next: String? = nil
        var pages = 0
        listing: repeat {
            let page = try await client.listRecent(nextLink: next)
            calls += 1
            pages += 1
            for referral in page.referrals {
                if let created = referral.createdDateTime?.date, created < horizon { break listing }
                guard let externalId = referral.externalReferenceId, let indexes = wanted[externalId] else { continue }
                let isConnected = referral.target?.contains(where: { $0.type == .businessProfileLocation && $0.id == "msft" }) ?? false
                for index in indexes where matched[index] == nil {
                    let item = items[index]
                    switch item.step {
                    case .primary where !isConnected:
                        matched[index] = referral
                    case .connected where isConnected && (item.engagementId == nil || item.engagementId == referral.engagementId):
                        matched[index] = referral
                    default:
                        continue
                    }
                    break
                }
            }
            if matched.count == items.count { break }
            next = page.nextLink
        } while next != nil
        logger.info("reconciled lost creates", metadata: ["sync.wanted": "\(items.count)", "sync.found": "\(matched.count)", "sync.pages": "\(pages)"])
        var found: [Found] = []
        var missing: [UncertainCreate] = []
        for (index, item) in items.enumerated() {
            if let referral = matched[index] { found.append(Found(item: item, referral: referral)) } else { missing.append(item) }
        }
        return (found, missing)
    }
}
