import ArgumentParser
import Foundation
import PartnerClient

/// `refbridge auth login|status`: the one interactive step MFA accounts need before unattended runs.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Sign in once for unattended runs (accounts with MFA: device-code flow).",
        subcommands: [Login.self, Status.self]
    )

    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Device-code sign-in; stores a refresh token (0600) that nightly runs redeem.",
            discussion: """
                Shows a code to enter at the sign-in page, waits until you have signed in, then stores the \
                refresh token in --refresh-token-file (mode 0600, its folder 0700). Point \
                api.auth.oauth2.refreshTokenFile at the same file in the job file; each run saves the \
                rotated token back. The token is never printed.
                Against the sandbox: --authority http://127.0.0.1:8089/common --client-id any.
                Exit codes: 0 signed in and the token stored; 1 the sign-in failed, was declined or timed \
                out (the message says which); 2 usage.
                """
        )

        @Option(help: "The Azure AD v1 authority; the device-code and token endpoints are under it.")
        var authority = "https://login.microsoftonline.com/common"
        @Option(name: .customLong("token-url"), help: "The token endpoint, if not {authority}/oauth2/token.")
        var tokenURL: String?
        @Option(name: .customLong("device-code-url"), help: "The device-code endpoint, if not {authority}/oauth2/devicecode.")
        var deviceCodeURL: String?
        @Option(name: .customLong("client-id"), help: "The app registration's client (application) id.")
        var clientId: String
        @Option(help: "The API the token is for.")
        var resource = AuthConfiguration.OAuth2.defaultResource
        @Option(name: .customLong("refresh-token-file"), help: "Where to keep the refresh token.")
        var refreshTokenFile = ".refbridge/refresh-token"

        func validate() throws {
            guard !clientId.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--client-id must not be empty")
            }
            for (flag, url) in [("--authority", authority), ("--token-url", tokenURL), ("--device-code-url", deviceCodeURL)] {
                guard let url else { continue }
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                    throw ValidationError("\(flag) must be an http(s) URL, e.g. https://login.microsoftonline.com/common; got '\(url)'")
                }
            }
        }

        func run() async throws {
            var login = DeviceCodeLogin(authority: authority, clientId: clientId, resource: resource)
            if let tokenURL { login.tokenURL = tokenURL }
            if let deviceCodeURL { login.deviceCodeURL = deviceCodeURL }
            do {
                try await login.run(refreshTokenFile: refreshTokenFile) { prompt in
                    FileHandle.standardError.write(Data((prompt.message + "\nWaiting for the sign-in…\n").utf8))
                }
            } catch {
                printError("\(error)")
                throw ExitCode.failure
            }
            print("Signed in. The refresh token is stored in \(refreshTokenFile) (0600); unattended runs redeem it through api.auth.oauth2.refreshTokenFile.")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whether a refresh token is stored, and when it was saved (never prints it).",
            discussion: "Exit codes: 0 a token is stored; 1 none is."
        )

        @Option(name: .customLong("refresh-token-file"), help: "The refresh token file.")
        var refreshTokenFile = ".refbridge/refresh-token"

        func run() throws {
            guard let status = RefreshTokenFile.status(refreshTokenFile) else {
                print("No refresh token at \(refreshTokenFile): run `refbridge auth login`.")
                throw ExitCode.failure
            }
            let saved = status.saved.map { ISO8601DateFormatter().string(from: $0) } ?? "at an unknown time"
            var line = "A refresh token is stored at \(refreshTokenFile), saved \(saved), mode \(String(status.mode, radix: 8))."
            if status.mode & 0o077 != 0 { line += " WARNING: others can read it: chmod 600 \(refreshTokenFile)" }
            print(line)
        }
    }
}
