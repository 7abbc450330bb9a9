public import Foundation

/// A token the user supplies: a literal (tests, the in-process sandbox), an environment variable,
/// a file, or the standard output of a command run with `/bin/sh -c`. Read on first use and kept;
/// read again on a forced refresh (after a 401), so a rotated file or a command that mints tokens
/// is picked up. Surrounding whitespace and a leading `Bearer ` are removed.
public actor StaticTokenProvider: TokenProvider {
    public enum Source: Sendable {
        case literal(String)
        case environment(String)
        case file(String)
        case command(String)
    }

    public nonisolated let source: Source
    private let environment: [String: String]
    private var cached: String?

    public init(token: String) {
        self.init(.literal(token))
    }

    /// - Parameter environment: where `.environment` names are looked up (tests pass their own).
    public init(_ source: Source, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.source = source
        self.environment = environment
    }

    public func accessToken(forceRefresh: Bool) async throws -> String {
        if !forceRefresh, let cached { return cached }
        let raw: String
        switch source {
        case .literal(let value):
            raw = value
        case .environment(let name):
            guard let value = environment[name] else {
                throw PartnerAPIError(kind: .auth, message: "the environment variable \(name) (api.auth.tokenEnv) is not set: export it before the run")
            }
            raw = value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PartnerAPIError(kind: .auth, message: "cannot read the token file \(path) (api.auth.tokenFile)")
            }
            raw = String(decoding: data, as: UTF8.self)
        case .command(let command):
            raw = try Self.run(command)
        }
        let token = try BearerToken.validated(raw, source: sourceDescription)
        cached = token
        return token
    }

    /// The source, for messages; never the token.
    public nonisolated var sourceDescription: String {
        switch source {
        case .literal: "the literal token"
        case .environment(let name): "the environment variable \(name) (api.auth.tokenEnv)"
        case .file(let path): "the token file \(path) (api.auth.tokenFile)"
        case .command: "api.auth.tokenCommand"
        }
    }

    /// Runs `command` with `/bin/sh -c`; its standard output is the token and is never logged.
    /// Its standard error goes to ours, for the command's own diagnostics.
    static func run(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PartnerAPIError(kind: .auth, message: "cannot run api.auth.tokenCommand with /bin/sh: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw PartnerAPIError(kind: .auth, message: "api.auth.tokenCommand failed (exit status \(process.terminationStatus)); its error output is above")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
