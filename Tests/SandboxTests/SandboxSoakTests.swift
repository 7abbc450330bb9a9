import Foundation
import Referrals
import Testing

@testable import Sandbox

/// Opt-in (`SANDBOX_SOAK=10000 swift test --filter Soak`): prints timings, asserts only correctness.
@Suite struct SandboxSoakTests {
    static let size = Int(ProcessInfo.processInfo.environment["SANDBOX_SOAK"] ?? "") ?? 0

    @Test(.enabled(if: size > 0)) func manyReferralsStayFast() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("soak-\(UUID()).ndjson").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let clock = ContinuousClock()
        try await SandboxHarness.with({ $0.dataFile = file }) { sandbox in
            let create = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            for index in stride(from: worker, to: Self.size, by: 8) {
                                let status = try await sandbox.create(SandboxHarness.valid("soak-\(index)")).status
                                if status != 201 { Issue.record("create \(index): \(status)") }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var seen = 0
            var pages = 0
            let list = try await clock.measure {
                var next: String? = SandboxHarness.collection + "?$orderby=createdDateTime%20desc"
                while let link = next {
                    let page = try await sandbox.request("GET", link)
                    seen += page.value.count
                    pages += 1
                    next = page.json["@odata.nextLink"] as? String
                }
            }
            #expect(seen == Self.size)
            let filtered = try await clock.measure {
                let answer = try await sandbox.list("$filter=status eq 'Active' and customerProfile/address/country eq 'GB'&$top=10&$count=true")
                #expect(answer.json["@odata.count"] as? Int == Self.size)
            }
            print("soak \(Self.size): create \(create), list all (\(pages) pages) \(list), filtered count \(filtered)")
        }
        let restart = try await clock.measure {
            try await SandboxHarness.with({ $0.dataFile = file }) { sandbox in
                #expect(await sandbox.server.allReferrals().count == Self.size)
            }
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        print("soak \(Self.size): restart (replay + compact \(bytes / 1024) KiB) \(restart)")
    }
}
