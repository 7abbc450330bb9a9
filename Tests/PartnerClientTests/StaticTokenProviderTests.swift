import Foundation
import Testing
@testable import PartnerClient

struct StaticTokenProviderTests {
    func temporaryFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "refbridge-token-\(UUID().uuidString)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func message(_ body: () async throws -> Void) async -> String {
        do {
            try await body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func readsEnvironmentFileAndCommandTrimmed() async throws {
        #expect(try await StaticTokenProvider(.environment("TOKEN"), environment: ["TOKEN": " env-token\n"]).accessToken() == "env-token")
        let path = try temporaryFile("file-token\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await StaticTokenProvider(.file(path)).accessToken() == "file-token")
        #expect(try await StaticTokenProvider(.command("printf 'Bearer cmd-token\\n'")).accessToken() == "cmd-token")
    }

    @Test func keepsTheTokenUntilAForcedRefreshRereadsIt() async throws {
        let path = try temporaryFile("first")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let provider = StaticTokenProvider(.file(path))
        #expect(try await provider.accessToken(forceRefresh: false) == "first")
        try "second".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await provider.accessToken(forceRefresh: false) == "first")
        #expect(try await provider.accessToken(forceRefresh: true) == "second")
    }

    @Test func errorsNameTheSourceButNeverTheToken() async {
        let missing = await message { _ = try await StaticTokenProvider(.environment("NOPE"), environment: [:]).accessToken() }
        #expect(missing == "auth: the environment variable NOPE (api.auth.tokenEnv) is not set: export it before the run")
        let failing = await message { _ = try await StaticTokenProvider(.command("echo secret-token; exit 3")).accessToken() }
        #expect(failing == "auth: api.auth.tokenCommand failed (exit status 3); its error output is above")
        let json = await message { _ = try await StaticTokenProvider(.command(#"echo '{"accessToken": "secret-token"}'"#)).accessToken() }
        #expect(json.hasPrefix("auth: api.auth.tokenCommand gave text with spaces"))
        #expect(!json.contains("secret-token"))
        let blank = try? temporaryFile(" \n")
        defer { blank.map { try? FileManager.default.removeItem(atPath: $0) } }
        let empty = await message { _ = try await StaticTokenProvider(.file(blank ?? "")).accessToken() }
        #expect(empty == "auth: the token file \(blank ?? "") (api.auth.tokenFile) gave an empty token")
    }
}
