import ArgumentParser
import Foundation
import PartnerClient

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Sign in once for unattended runs (MFA accounts: device-code flow).",
        subcommands: [Login.self, Status.self]
    )

    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Device-code sign-in; stores a refresh token (0600) that nightly runs redeem.",
            discussion: "Point api.auth.oauth2.refreshTokenFile at the same file in the job file."
        )
        @Option(name: .long, help: "The Azure AD v1 authority, e.g. https://login.microsoftonline.com/common (the sandbox: http://127.0.0.1:8089/common).")
        var authority: String = "https://login.microsoftonline.com/common"
        @Option(name: .long, help: "The app registration's client id.") var clientId: String
        @Option(name: .long, help: "The API resource.") var resource: String = "https://api.partner.microsoft.com"
        @Option(name: .long, help: "Where to keep the refresh token.") var refreshTokenFile: String = ".refbridge/refresh-token"

        func run() async throws {
            let base = authority.hasSuffix("/") ? String(authority.dropLast()) : authority
            let login = DeviceCodeLogin(deviceCodeURL: base + "/oauth2/devicecode", tokenURL: base + "/oauth2/token", clientId: clientId, resource: resource)
            do {
                try await login.run(refreshTokenFile: refreshTokenFile) { message in
                    FileHandle.standardError.write(Data((message + "\n").utf8))
                }
            } catch {
                printError("\(error)")
                throw ExitCode(3)
            }
            print("signed in: refresh token stored in \(refreshTokenFile) (0600). Unattended runs use it through api.auth.oauth2.refreshTokenFile.")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Whether a refresh token is stored (never prints it).")
        @Option(name: .long, help: "The refresh token file.") var refreshTokenFile: String = ".refbridge/refresh-token"

        func run() throws {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: refreshTokenFile) else {
                print("no refresh token at \(refreshTokenFile): run `refbridge auth login`")
                throw ExitCode(1)
            }
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
            let saved = (attributes[.modificationDate] as? Date).map { ISO8601DateFormatter().string(from: $0) } ?? "?"
            print("refresh token stored at \(refreshTokenFile), saved \(saved), mode \(String(mode, radix: 8))\(mode & 0o077 != 0 ? " (WARNING: readable by others: chmod 600)" : "")")
        }
    }
}
