import Foundation
import Referrals
import Testing

@testable import Sandbox
import Logging

@Suite struct SandboxPersistenceTests {
    static func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID()).ndjson").path
    }

    @Test func dataFileKeepsStateAcrossRestarts() async throws {
        let file = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        var created: Referral?
        var patched: Referral?
        try await SandboxHarness.with({
            $0.dataFile = file
            $0.idempotency = true
        }) { first in
            created = try #require(try await first.create(SandboxHarness.valid("kept"), headers: ["MS-RequestId": "req-kept"]).referral)
            _ = try await first.create(SandboxHarness.valid("second"))
            let answer = try await first.patch(created!.id!, [["op": "replace", "path": "/details/notes", "value": "after"]], headers: ["Prefer": "return=representation"])
            patched = answer.referral
            patched?.odataContext = nil
        }
        let id = try #require(created?.id)
        try await SandboxHarness.with({
            $0.dataFile = file
            $0.idempotency = true
        }) { second in
            let read = try await second.get(id)
            #expect(read.status == 200)
            var got = try #require(read.referral)
            got.odataContext = nil
            // Links follow the server's new port; everything else is as it was.
            #expect(got.links?.`self`?.uri == "http://127.0.0.1:\(second.server.port)/v1.0/engagements/referrals/\(id)")
            got.links = patched?.links
            #expect(got == patched)
            #expect(await second.server.allReferrals().map(\.externalReferenceId) == ["kept", "second"])
            // The request id index survives too.
            let again = try await second.create(SandboxHarness.valid("kept"), headers: ["MS-RequestId": "req-kept"])
            #expect(again.referral?.id == id)
            // New writes land after the old ones in time.
            let third = try #require(try await second.create(SandboxHarness.valid("third")).referral)
            #expect(third.createdDateTime! > got.updatedDateTime!)
            #expect(await second.server.allReferrals().count == 3)
        }
    }

    @Test func aTornLastLineIsSkipped() async throws {
        let file = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await SandboxHarness.with({ $0.dataFile = file }) { sandbox in
            _ = try await sandbox.create(SandboxHarness.valid("whole"))
        }
        // A crash in the middle of an append leaves half a line.
        let handle = try #require(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data("{\"requestId\":null,\"referral\":{\"id\":\"tor".utf8))
        try handle.close()
        try await SandboxHarness.with({ $0.dataFile = file }) { sandbox in
            #expect(await sandbox.server.allReferrals().map(\.externalReferenceId) == ["whole"])
            let next = try await sandbox.create(SandboxHarness.valid("next"))
            #expect(next.status == 201)
        }
        try await SandboxHarness.with({ $0.dataFile = file }) { sandbox in
            #expect(await sandbox.server.allReferrals().map(\.externalReferenceId) == ["whole", "next"])
        }
    }

    @Test func anUnwritableDataFileFailsToStart() async throws {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configuration.dataFile = "/proc/refbridge-sandbox/state.ndjson"
        await #expect(throws: (any Error).self) {
            _ = try await SandboxServer.start(configuration, logger: .init(label: "test"))
        }
    }

    @Test func aTakenPortFailsToStart() async throws {
        try await SandboxHarness.with { sandbox in
            var configuration = SandboxConfiguration()
            configuration.port = sandbox.server.port
            let error = await #expect(throws: (any Error).self) {
                _ = try await SandboxServer.start(configuration, logger: .init(label: "test"))
            }
            #expect("\(error!)".contains("\(sandbox.server.port)"))
        }
    }
}
