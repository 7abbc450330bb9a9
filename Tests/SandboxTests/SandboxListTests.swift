import Foundation
import Referrals
import Testing

@testable import Sandbox

@Suite struct SandboxListTests {
    func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test func pagesOf100FollowNextLink() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        for index in 0..<250 { _ = try await sandbox.create(SandboxHarness.valid("crm-\(index)")) }
        var next: String? = "/v1.0/engagements/referrals?$orderby=\(encoded("createdDateTime desc"))"
        var seen: [String] = []
        var pages: [Int] = []
        while let link = next {
            let page = try await sandbox.request("GET", link)
            #expect(page.status == 200)
            #expect(page.json["@odata.context"] as? String != nil)
            let value = page.json["value"] as! [[String: Any]]
            pages.append(value.count)
            seen += value.map { $0["externalReferenceId"] as! String }
            next = page.json["@odata.nextLink"] as? String
        }
        #expect(pages == [100, 100, 50])
        #expect(Set(seen).count == 250)
        #expect(seen.first == "crm-249" && seen.last == "crm-0")
    }

    @Test func topCapsTheTotal() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        for index in 0..<130 { _ = try await sandbox.create(SandboxHarness.valid("crm-\(index)")) }
        let first = try await sandbox.request("GET", "/v1.0/engagements/referrals?$top=120")
        #expect((first.json["value"] as! [Any]).count == 100)
        let second = try await sandbox.request("GET", first.json["@odata.nextLink"] as! String)
        #expect((second.json["value"] as! [Any]).count == 20)
        #expect(second.json["@odata.nextLink"] == nil)
        let small = try await sandbox.request("GET", "/v1.0/engagements/referrals?$top=5")
        #expect((small.json["value"] as! [Any]).count == 5 && small.json["@odata.nextLink"] == nil)
    }

    @Test func documentedFiltersWork() async throws {
        let sandbox = try await SandboxHarness.start { $0.acceptOutgoing = false }
        defer { Task { await sandbox.server.shutdown() } }
        var german = SandboxHarness.valid("de")
        german.customerProfile?.address?.country = "DE"
        german.team = [Member(firstName: "Sam", email: "sam@partner.example")]
        _ = try await sandbox.create(german)
        _ = try await sandbox.create(SandboxHarness.valid("gb", type: .shared))
        func count(_ filter: String) async throws -> Int {
            let answer = try await sandbox.request("GET", "/v1.0/engagements/referrals?$filter=\(encoded(filter))")
            #expect(answer.status == 200, "\(filter): \(answer.errorMessage)")
            return (answer.json["value"] as? [Any])?.count ?? -1
        }
        #expect(try await count("customerProfile/address/country eq 'DE'") == 1)
        #expect(try await count("type eq 'Shared'") == 1)
        #expect(try await count("status eq 'New' and substatus eq 'Pending'") == 2)
        #expect(try await count("(status eq 'New') and (type eq 'Independent')") == 1)
        #expect(try await count("team/any(t:t/email eq 'sam@partner.example')") == 1)
        #expect(try await count("qualification eq 'SalesQualified' and direction eq 'Outgoing'") == 2)
    }

    @Test func undocumentedQueriesAreRefused() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        for query in [
            "$filter=\(encoded("externalReferenceId eq 'crm-1'"))",
            "$filter=\(encoded("status ne 'New'"))",
            "$filter=\(encoded("status eq 'New' or status eq 'Active'"))",
            "$filter=\(encoded("name eq 'x'"))",
            "$skip=10", "$count=true", "$expand=team", "$orderby=name",
            "$orderby=\(encoded("createdDateTime sideways"))", "$top=0", "$select=nope", "$skiptoken=garbage",
        ] {
            let answer = try await sandbox.request("GET", "/v1.0/engagements/referrals?\(query)")
            #expect(answer.status == 400, "\(query) should be refused")
            #expect(answer.errorCode == "invalidRequest")
        }
    }

    @Test func selectKeepsOnlyTheNamedFields() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.server.shutdown() } }
        _ = try await sandbox.create(SandboxHarness.valid("x"))
        let answer = try await sandbox.request("GET", "/v1.0/engagements/referrals?$select=\(encoded("id,status"))")
        let item = (answer.json["value"] as! [[String: Any]])[0]
        #expect(Set(item.keys) == ["id", "status"])
    }
}
