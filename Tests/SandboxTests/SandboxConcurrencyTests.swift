import Foundation
import Referrals
import Testing

@testable import Sandbox

/// Writes that race: the store decides each in one step, so no update is lost and no duplicate made.
@Suite struct SandboxConcurrencyTests {
    @Test func sameIfMatchWinsOnce() async throws {
        try await SandboxHarness.with { sandbox in
            let created = try #require(try await sandbox.create(SandboxHarness.valid()).referral)
            var statuses: [Int] = []
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await sandbox.patch(
                            created.id!, [["op": "replace", "path": "/details/notes", "value": "writer \(index)"]],
                            headers: ["If-Match": created.eTag!]
                        ).status
                    }
                }
                for try await status in group { statuses.append(status) }
            }
            #expect(statuses.filter { $0 == 204 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 412 }.count == 11, "\(statuses)")
        }
    }

    @Test func patchesWithoutIfMatchAreAllApplied() async throws {
        try await SandboxHarness.with { sandbox in
            var referral = SandboxHarness.valid()
            referral.team = []
            let created = try #require(try await sandbox.create(referral).referral)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await sandbox.patch(created.id!, [["op": "add", "path": "/team/-", "value": ["email": "m\(index)@partner.example"]]]).status
                    }
                }
                for try await status in group { #expect(status == 204) }
            }
            let read = try #require(try await sandbox.get(created.id!).referral)
            #expect(Set(read.team?.compactMap(\.email) ?? []) == Set((0..<12).map { "m\($0)@partner.example" }))
        }
    }

    @Test func repeatedRequestIdCreatesOnceUnderIdempotency() async throws {
        try await SandboxHarness.with({ $0.idempotency = true }) { sandbox in
            var ids: Set<String> = []
            try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await sandbox.create(SandboxHarness.valid("once"), headers: ["MS-RequestId": "same"]).referral?.id }
                }
                for try await id in group { ids.insert(id ?? "none") }
            }
            #expect(ids.count == 1 && !ids.contains("none"))
            #expect(await sandbox.server.allReferrals().count == 1)
        }
    }
}
