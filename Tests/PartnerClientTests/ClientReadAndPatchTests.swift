import Foundation
import PartnerClient
import Referrals
import Sandbox
import Testing

/// Reads, paging and updates against the in-process sandbox.
struct ClientReadAndPatchTests {
    static func created(_ client: PartnerClient, _ externalId: String) async throws -> Referral {
        guard case .created(let referral) = await client.create(SandboxClientHarness.referral(externalId), requestId: externalId) else {
            throw PartnerAPIError(kind: .serverError, message: "setup: \(externalId) not created")
        }
        return referral
    }

    @Test func getReturnsTheReferralAndAnUnknownIdIsNotFound() async throws {
        try await SandboxClientHarness.with { _, client in
            let referral = try await Self.created(client, "g1")
            let read = try await client.get(id: referral.id!)
            #expect(read.id == referral.id)
            #expect(read.externalReferenceId == "g1")
            #expect(read.eTag == referral.eTag)
            await #expect {
                _ = try await client.get(id: "00000000-0000-0000-0000-000000000000")
            } throws: { error in
                (error as? PartnerAPIError)?.kind == .notFound && (error as? PartnerAPIError)?.status == 404
            }
        }
    }

    @Test func pagesThroughMoreThanAHundredReferralsByNextLink() async throws {
        try await SandboxClientHarness.with(client: { $0.maxConcurrency = 8 }) { (server: SandboxServer, client: PartnerClient) in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<130 {
                    group.addTask { _ = try await Self.created(client, String(format: "p%03d", index)) }
                }
                try await group.waitForAll()
            }
            let first = try await client.listPage(url: nil)
            #expect(first.referrals.count == 100)
            let nextLink = try #require(first.nextLink)
            let second = try await client.listPage(url: nextLink)
            #expect(second.referrals.count == 30)
            #expect(second.nextLink == nil)
            let all = first.referrals + second.referrals
            #expect(Set(all.compactMap(\.id)).count == 130)
            let created = all.compactMap { $0.createdDateTime?.date }
            #expect(created.count == 130)
            #expect(created == created.sorted(by: >))
            var streamed = 0
            for try await _ in client.all() { streamed += 1 }
            #expect(streamed == 130)
            #expect(server.requestCounts().list == 4)
        }
    }

    @Test func listTakesTheDocumentedOptions() async throws {
        try await SandboxClientHarness.with { _, client in
            for index in 0..<3 { _ = try await Self.created(client, "o\(index)") }
            let page = try await client.list(filter: "status eq 'Active' and substatus eq 'Accepted'", orderBy: "createdDateTime asc", top: 2)
            #expect(page.referrals.map(\.externalReferenceId) == ["o0", "o1"])
            #expect(page.nextLink == nil)
            await #expect {
                _ = try await client.list(filter: "externalReferenceId eq 'o1'")
            } throws: { error in
                (error as? PartnerAPIError)?.kind == .rejected
            }
        }
    }

    @Test func aServerErrorOnAReadIsRetriedUpToTheAttempts() async throws {
        try await SandboxClientHarness.with(sandbox: {
            $0.faultRate = 1
            $0.faultMix = .init(throttled: 0, serverError: 1, unavailable: 0, dropAfterCreate: 0)
        }) { server, client in
            await #expect {
                _ = try await client.get(id: "x")
            } throws: { error in
                (error as? PartnerAPIError)?.kind == .serverError
            }
            #expect(server.requestCounts().get == 3)
        }
    }

    @Test func patchWithTheCurrentETagAppliesAndAStaleOneIsAPreconditionFailure() async throws {
        try await SandboxClientHarness.with { server, client in
            let referral = try await Self.created(client, "u1")
            let updated = try await client.patch(
                id: referral.id!, operations: [.replace("/details/notes", .string("Second call booked"))], ifMatch: referral.eTag)
            #expect(updated.details?.notes == "Second call booked")
            #expect(updated.eTag != referral.eTag)
            await #expect {
                _ = try await client.patch(id: referral.id!, operations: [.replace("/details/notes", .string("late"))], ifMatch: referral.eTag)
            } throws: { error in
                (error as? PartnerAPIError)?.kind == .preconditionFailed && (error as? PartnerAPIError)?.status == 412
            }
            let current = try await client.get(id: referral.id!)
            #expect(current.details?.notes == "Second call booked")
            // Without If-Match the patch applies to whatever is current.
            let closed = try await client.patch(
                id: referral.id!, operations: [.replace("/status", .string("Closed")), .replace("/substatus", .string("Won"))], ifMatch: nil)
            #expect(closed.status == .closed)
            #expect(closed.substatus == .won)
            #expect(server.requestCounts().patch == 3)
        }
    }

    @Test func aPatchTheAPIRefusesIsRejected() async throws {
        try await SandboxClientHarness.with { _, client in
            let referral = try await Self.created(client, "u2")
            await #expect {
                _ = try await client.patch(id: referral.id!, operations: [.replace("/status", .string("Bogus"))], ifMatch: referral.eTag)
            } throws: { error in
                (error as? PartnerAPIError)?.kind == .rejected
            }
        }
    }
}
