import Foundation
import Referrals
import Testing

@testable import Sandbox

/// The page selection alone, without a network: keyset positions, ties, filters, `$top`.
@Suite struct ListQueryPageTests {
    static func referrals(_ count: Int) -> [Referral] {
        let start = Date(timeIntervalSince1970: 1_764_000_000)
        return (0..<count).map { index in
            var referral = SandboxHarness.valid("p-\(index)")
            referral.id = String(format: "id-%05d", index)
            referral.createdDateTime = APIDateTime(start.addingTimeInterval(Double(index)))
            // Updates in another order: every third one was touched last.
            referral.updatedDateTime = APIDateTime(start.addingTimeInterval(Double(index % 3 == 0 ? 100_000 + index : index)))
            referral.status = index % 2 == 0 ? .new : .active
            return referral
        }
    }

    /// Follows every page as the server does and returns the ids in order.
    static func walk(_ all: [Referral], _ query: ListQuery) -> [String] {
        var query = query
        var ids: [String] = []
        while true {
            let limit = min(ListQuery.pageSize, query.top.map { $0 - query.sent } ?? Int.max)
            let (indexes, _, more) = query.page(of: all, limit: limit)
            ids += indexes.map { all[$0].id! }
            guard more, let last = indexes.last, query.top.map({ query.sent + indexes.count < $0 }) ?? true else { return ids }
            query.after = ListQuery.Position(key: query.sortKey(all[last]), id: all[last].id!)
            query.sent += indexes.count
        }
    }

    @Test func walksEveryReferralOnceInOrder() {
        let all = Self.referrals(1_050)
        var query = ListQuery()
        #expect(Self.walk(all, query) == all.map { $0.id! })
        query.descending = true
        #expect(Self.walk(all, query) == all.reversed().map { $0.id! })
        query.orderBy = .updatedDateTime
        let byUpdate = all.sorted { $0.updatedDateTime!.date > $1.updatedDateTime!.date }.map { $0.id! }
        #expect(Self.walk(all, query) == byUpdate)
        query.filter = [ListQuery.Clause(field: "status", value: "Active")]
        query.top = 250
        #expect(Self.walk(all, query) == Array(byUpdate.filter { Int($0.suffix(5))! % 2 == 1 }.prefix(250)))
    }

    @Test func tiesBreakById() {
        var all = Self.referrals(5)
        for index in all.indices { all[index].createdDateTime = all[0].createdDateTime }
        all.swapAt(1, 3)
        let query = ListQuery()
        #expect(query.page(of: all, limit: 2).indexes.map { all[$0].id! } == ["id-00000", "id-00001"])
        var next = query
        next.after = ListQuery.Position(key: all[0].createdDateTime!.text, id: "id-00001")
        #expect(next.page(of: all, limit: 10).indexes.map { all[$0].id! } == ["id-00002", "id-00003", "id-00004"])
        #expect(next.page(of: all, limit: 10).total == 5)
    }

    @Test func pageOf10kCountsEveryMatch() {
        let all = Self.referrals(10_000)
        var query = ListQuery()
        query.descending = true
        query.filter = [ListQuery.Clause(field: "status", value: "New")]
        let result = query.page(of: all, limit: 100)
        #expect(result.total == 5_000 && result.more)
        #expect(result.indexes == Array(stride(from: 9_998, through: 9_800, by: -2)))
    }
}
