import Foundation

/// Where bearer tokens come from. `forceRefresh` is set once after a 401.
public protocol TokenProvider: Sendable {
    func accessToken(forceRefresh: Bool) async throws -> String
}

/// A token the user supplies: a literal (tests, the in-process sandbox), an environment variable,
/// a file, or a command's output. Read again on a forced refresh, so a rotated file or a command
/// that mints tokens is picked up.
public struct StaticTokenProvider: TokenProvider {
    public enum Source: Sendable {
        case literal(String)
        case environment(String)
        case file(String)
        case command(String)
    }

    public let source: Source

    public init(token: String) { source = .literal(token) }
    public init(_ source: Source) { self.source = source }

    public func accessToken(forceRefresh: Bool) async throws -> String {
        let token: String
        switch source {
        case .literal(let value):
            token = value
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw PartnerAPIError(kind: .auth, message: "the environment variable \(name) (api.auth.tokenEnv) is not set: export it before the run")
            }
            token = value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PartnerAPIError(kind: .auth, message: "cannot read the token file \(path) (api.auth.tokenFile)")
            }
            token = String(decoding: data, as: UTF8.self)
        case .command(let command):
            token = try Self.run(command)
        }
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw PartnerAPIError(kind: .auth, message: "the token source (\(description)) gave an empty token")
        }
        return trimmed
    }

    var description: String {
        switch source {
        case .literal: "a literal token"
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        case .command: "api.auth.tokenCommand"
        }
    }

    /// Runs `command` with /bin/sh; its standard output is the token. Its output is never logged.
    static func run(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw PartnerAPIError(kind: .auth, message: "cannot run api.auth.tokenCommand: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PartnerAPIError(kind: .auth, message: "api.auth.tokenCommand exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
