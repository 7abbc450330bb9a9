import Foundation
import Referrals
import Testing

@testable import Sandbox

/// Issue #12 item 9: the query options the Swagger and the list page document, and the options
/// that test the client against the documented nextLink and date operators.
@Suite struct SandboxQueryOptionTests {
    @Test func skipCountAndExpandAreAcceptedAndCountComesOnlyWhenAsked() async throws {
        try await SandboxHarness.with { sandbox in
            for index in 0..<5 { _ = try await sandbox.create(SandboxHarness.valid("q-\(index)")) }
            let plain = try await sandbox.list("$orderby=createdDateTime asc")
            #expect(plain.status == 200 && plain.json["@odata.count"] == nil)
            let counted = try await sandbox.list("$orderby=createdDateTime asc&$count=true")
            #expect(counted.json["@odata.count"] as? Int == 5)
            let skipped = try await sandbox.list("$orderby=createdDateTime asc&$skip=2&$count=true")
            #expect(skipped.status == 200, "\(skipped.errorMessage)")
            #expect(skipped.value.compactMap { $0["externalReferenceId"] as? String } == ["q-2", "q-3", "q-4"])
            let expanded = try await sandbox.list("$expand=team")
            #expect(expanded.status == 200 && expanded.value.count == 5, "\(expanded.errorMessage)")
        }
    }

    @Test func skipPassesOverTheFirstOnesAcrossPages() async throws {
        try await SandboxHarness.with { sandbox in
            for index in 0..<130 { _ = try await sandbox.create(SandboxHarness.valid("s-\(index)")) }
            let first = try await sandbox.list("$orderby=createdDateTime asc&$skip=20")
            let second = try await sandbox.request("GET", try #require(first.json["@odata.nextLink"] as? String))
            let ids = (first.value + second.value).compactMap { $0["externalReferenceId"] as? String }
            #expect(ids == (20..<130).map { "s-\($0)" })
        }
    }

    @Test func thePlainEmailFilterLooksInTheTeam() async throws {
        try await SandboxHarness.with { sandbox in
            var referral = SandboxHarness.valid("mail")
            referral.team = [Member(firstName: "Sam", email: "sam@partner.example")]
            let id = try #require(try await sandbox.create(referral).referral?.id)
            _ = try await sandbox.create(SandboxHarness.valid("other"))
            let answer = try await sandbox.list("$filter=email eq 'sam@partner.example'")
            #expect(answer.status == 200, "\(answer.errorMessage)")
            #expect(answer.value.compactMap { $0["id"] as? String } == [id])
        }
    }

    @Test func updatedDateTimeTakesEqByDefaultAndRangesWithTheOption() async throws {
        let clock = ManualClock()
        try await SandboxHarness.with({ $0.now = clock.reader }) { sandbox in
            _ = try await sandbox.create(SandboxHarness.valid("early"))
            clock.advance(by: 60)
            let late = try #require(try await sandbox.create(SandboxHarness.valid("late")).referral)
            let since = try #require(late.updatedDateTime?.text)
            #expect(try await sandbox.list("$filter=updatedDateTime ge '\(since)'").status == 400)
            #expect(try await sandbox.list("$filter=updatedDateTime eq '\(since)'").value.count == 1)
        }
        try await SandboxHarness.with({
            $0.now = clock.reader
            $0.dateRanges = true
        }) { sandbox in
            _ = try await sandbox.create(SandboxHarness.valid("early"))
            clock.advance(by: 60)
            let late = try #require(try await sandbox.create(SandboxHarness.valid("late")).referral)
            let since = try #require(late.updatedDateTime?.text)
            func names(_ filter: String) async throws -> [String] {
                let answer = try await sandbox.list("$orderby=createdDateTime asc&$filter=\(filter)")
                #expect(answer.status == 200, "\(filter): \(answer.errorMessage)")
                return answer.value.compactMap { $0["externalReferenceId"] as? String }
            }
            #expect(try await names("updatedDateTime ge '\(since)'") == ["late"])
            #expect(try await names("updatedDateTime gt '\(since)'") == [])
            #expect(try await names("updatedDateTime lt '\(since)'") == ["early"])
            #expect(try await names("updatedDateTime le '\(since)'") == ["early", "late"])
            #expect(try await names("updatedDateTime eq '\(since)'") == ["late"])
            // Only updatedDateTime takes a range.
            #expect(try await sandbox.list("$filter=status ge 'New'").status == 400)
        }
    }

    @Test func theDocumentedNextLinkFormIsServed() async throws {
        try await SandboxHarness.with({ $0.nextLinkForm = .documented }) { sandbox in
            for index in 0..<105 { _ = try await sandbox.create(SandboxHarness.valid("n-\(index)")) }
            let first = try await sandbox.list("$orderby=createdDateTime asc")
            let next = try #require(first.json["@odata.nextLink"] as? String)
            #expect(next.hasPrefix("http://127.0.0.1:\(sandbox.server.port)/v1.0/referrals?$skiptoken="), "\(next)")
            let second = try await sandbox.request("GET", next)
            #expect(second.status == 200 && second.value.count == 5, "\(second.errorMessage)")
        }
    }
}
