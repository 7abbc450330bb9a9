import Foundation
import Referrals
import Testing

@testable import Sandbox

@Suite struct SandboxListTests {
    @Test func pagesOf100FollowNextLink() async throws {
        try await SandboxHarness.with { sandbox in
            for index in 0..<250 { _ = try await sandbox.create(SandboxHarness.valid("crm-\(index)")) }
            var next: String? = nil
            var seen: [String] = []
            var pages: [Int] = []
            var counts: Set<Int> = []
            var first = true
            while first || next != nil {
                let page = first ? try await sandbox.list("$orderby=createdDateTime desc&$count=true") : try await sandbox.request("GET", next!)
                first = false
                #expect(page.status == 200)
                #expect(page.json["@odata.context"] as? String == "http://127.0.0.1:\(sandbox.server.port)/v1.0/$metadata#Referrals")
                counts.insert(page.json["@odata.count"] as? Int ?? -1)
                pages.append(page.value.count)
                seen += page.value.compactMap { $0["externalReferenceId"] as? String }
                next = page.json["@odata.nextLink"] as? String
                if let next { #expect(next.hasPrefix("http://127.0.0.1:\(sandbox.server.port)/v1.0/engagements/referrals?$skiptoken=")) }
            }
            #expect(pages == [100, 100, 50])
            #expect(counts == [250])  // the total matching, on every page
            #expect(seen == (0..<250).reversed().map { "crm-\($0)" })
        }
    }

    @Test func pagingIsStableWhileReferralsAreAdded() async throws {
        try await SandboxHarness.with { sandbox in
            for index in 0..<150 { _ = try await sandbox.create(SandboxHarness.valid("old-\(index)")) }
            let first = try await sandbox.list("$orderby=createdDateTime asc")
            // New referrals land after the position the skiptoken holds: nothing repeats or is lost.
            for index in 0..<5 { _ = try await sandbox.create(SandboxHarness.valid("new-\(index)")) }
            let second = try await sandbox.request("GET", try #require(first.json["@odata.nextLink"] as? String))
            let ids = (first.value + second.value).compactMap { $0["externalReferenceId"] as? String }
            #expect(ids == (0..<150).map { "old-\($0)" } + (0..<5).map { "new-\($0)" })
        }
    }

    @Test func topCapsTheTotal() async throws {
        try await SandboxHarness.with { sandbox in
            for index in 0..<130 { _ = try await sandbox.create(SandboxHarness.valid("crm-\(index)")) }
            let first = try await sandbox.list("$top=120")
            #expect(first.value.count == 100)
            let second = try await sandbox.request("GET", try #require(first.json["@odata.nextLink"] as? String))
            #expect(second.value.count == 20)
            #expect(second.json["@odata.nextLink"] == nil)
            let small = try await sandbox.list("$top=5")
            #expect(small.value.count == 5 && small.json["@odata.nextLink"] == nil)
            let exact = try await sandbox.list("$top=100")
            #expect(exact.value.count == 100 && exact.json["@odata.nextLink"] == nil)
        }
    }

    @Test func orderByUpdatedDateTime() async throws {
        try await SandboxHarness.with { sandbox in
            var ids: [String] = []
            for index in 0..<3 { ids.append(try #require(try await sandbox.create(SandboxHarness.valid("u-\(index)")).referral?.id)) }
            // Touch the first one: it becomes the most recently updated.
            #expect(try await sandbox.patch(ids[0], [["op": "replace", "path": "/details/notes", "value": "touched"]]).status == 204)
            let answer = try await sandbox.list("$orderby=updatedDateTime desc")
            #expect(answer.value.compactMap { $0["id"] as? String } == [ids[0], ids[2], ids[1]])
            let ascending = try await sandbox.list("$orderby=updatedDateTime")
            #expect(ascending.value.compactMap { $0["id"] as? String } == [ids[1], ids[2], ids[0]])
        }
    }

    @Test func documentedFiltersWork() async throws {
        try await SandboxHarness.with({ $0.acceptOutgoing = false }) { sandbox in
            var german = SandboxHarness.valid("de")
            german.customerProfile?.address?.country = "DE"
            german.team = [Member(firstName: "Sam", email: "sam@partner.example")]
            let germanId = try #require(try await sandbox.create(german).referral?.id)
            let shared = try #require(try await sandbox.create(SandboxHarness.valid("gb", type: .shared)).referral)
            var active = SandboxHarness.valid("act")
            active.status = .active
            active.substatus = .accepted
            active.qualification = .direct
            let activeId = try #require(try await sandbox.create(active).referral?.id)
            func ids(_ filter: String) async throws -> Set<String> {
                let answer = try await sandbox.list("$filter=\(filter)&$count=true")
                #expect(answer.status == 200, "\(filter): \(answer.errorMessage)")
                #expect(answer.json["@odata.count"] as? Int == answer.value.count, "\(filter)")
                return Set(answer.value.compactMap { $0["id"] as? String })
            }
            #expect(try await ids("customerProfile/address/country eq 'DE'") == [germanId])
            #expect(try await ids("type eq 'Shared'") == [shared.id!])
            #expect(try await ids("engagementId eq '\(shared.engagementId!)'") == [shared.id!])
            #expect(try await ids("engagementId eq \(shared.engagementId!)") == [shared.id!])  // real links leave GUIDs unquoted
            #expect(try await ids("status eq 'New' and substatus eq 'Pending'") == [germanId, shared.id!])
            #expect(try await ids("status eq 'Active'") == [activeId])
            #expect(try await ids("(status eq 'New') and (type eq 'Independent')") == [germanId])
            #expect(try await ids("team/any(t:t/email eq 'sam@partner.example')") == [germanId])
            #expect(try await ids("qualification eq 'Direct'") == [activeId])
            #expect(try await ids("direction eq 'Outgoing'").count == 3)
            #expect(try await ids("direction eq 'Incoming'").isEmpty)
            #expect(try await ids("updatedDateTime eq '\(shared.updatedDateTime!.text)'") == [shared.id!])
        }
    }

    @Test func undocumentedQueriesAreRefused() async throws {
        try await SandboxHarness.with { sandbox in
            for query in [
                "$filter=externalReferenceId eq 'crm-1'",
                "$filter=status ne 'New'",
                "$filter=status eq 'New' or status eq 'Active'",
                "$filter=not status eq 'New'",
                "$filter=name eq 'x'",
                "$filter=updatedDateTime gt '2026-01-01T00:00:00Z'",
                "$filter=team/any(t:t/firstName eq 'Sam')",
                "$filter=status eq 'New' and",
                "$filter=status eq 'New",
                "$filter=",
                "$skip=-1", "$count=maybe", "$search=x", "pageSize=10",
                "$orderby=name", "$orderby=createdDateTime sideways", "$orderby=createdDateTime desc, id",
                "$top=0", "$top=-1", "$top=ten",
                "$select=nope", "$skiptoken=garbage",
            ] {
                let answer = try await sandbox.list(query)
                #expect(answer.status == 400, "\(query) should be refused")
                #expect(answer.errorCode == "invalidRequest", "\(query)")
                #expect(answer.errorTarget?.isEmpty == false, "\(query)")
            }
            let refused = try await sandbox.list("$filter=externalReferenceId eq 'crm-1'")
            #expect(refused.errorTarget == "externalReferenceId")
        }
    }

    @Test func selectKeepsOnlyTheNamedFields() async throws {
        try await SandboxHarness.with { sandbox in
            _ = try await sandbox.create(SandboxHarness.valid("x"))
            let answer = try await sandbox.list("$select=id,status,customerProfile")
            let item = try #require(answer.value.first)
            #expect(Set(item.keys) == ["id", "status", "customerProfile"])
            #expect((item["customerProfile"] as? [String: Any])?["name"] as? String == "Fabrikam Ltd")
        }
    }

    @Test func adminDumpListsEverythingWithoutAuth() async throws {
        try await SandboxHarness.with { sandbox in
            for index in 0..<3 { _ = try await sandbox.create(SandboxHarness.valid("d-\(index % 2)")) }
            let dump = try await sandbox.request("GET", "/_sandbox/referrals", auth: false)
            #expect(dump.status == 200)
            #expect(dump.json["count"] as? Int == 3)
            #expect(dump.value.compactMap { $0["externalReferenceId"] as? String } == ["d-0", "d-1", "d-0"])
            let counts = sandbox.server.requestCounts()
            #expect(counts.create == 3 && counts.list == 0 && counts.api == 3)  // the dump is not an API call
        }
    }
}
