import Foundation
import Logging
import PartnerClient
import Sandbox
import Yams

/// The API a run talks to: the real one (or any URL) with the configured auth, or an in-process
/// sandbox whose state lives in a file so that re-runs see what earlier runs created.
struct APIConnection {
    var client: PartnerClient
    var sandbox: SandboxServer?

    static func open(_ configuration: JobConfiguration, logger: Logger) async throws -> APIConnection {
        let correlationId = UUID().uuidString.lowercased()
        var clientConfiguration = PartnerClientConfiguration(baseURL: "")
        clientConfiguration.maxAttempts = configuration.upload.attempts
        clientConfiguration.maxConcurrency = configuration.upload.concurrency
        clientConfiguration.requestTimeout = .milliseconds(Int64(configuration.upload.timeoutSeconds * 1000))
        clientConfiguration.correlationId = correlationId
        switch configuration.api {
        case .sandbox(let options):
            var sandboxConfiguration = SandboxConfiguration()
            sandboxConfiguration.host = "127.0.0.1"
            sandboxConfiguration.port = 0
            sandboxConfiguration.dataFile = options.dataFile
            sandboxConfiguration.faultRate = options.faultRate
            sandboxConfiguration.seed = options.seed
            sandboxConfiguration.throttle = options.throttle
            sandboxConfiguration.latencyMilliseconds = options.latencyMilliseconds
            try FileManager.default.createDirectory(atPath: (options.dataFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var sandboxLogger = logger
            sandboxLogger.logLevel = .critical
            let server = try await SandboxServer.start(sandboxConfiguration, logger: sandboxLogger)
            clientConfiguration.baseURL = server.baseURL
            let client = PartnerClient(configuration: clientConfiguration, tokenProvider: StaticTokenProvider(token: "sandbox"), logger: logger)
            return APIConnection(client: client, sandbox: server)
        case .remote(let baseURL, let auth):
            let authConfiguration: AuthConfiguration
            do {
                authConfiguration = try YAMLDecoder().decode(AuthConfiguration.self, from: auth.yaml)
            } catch {
                throw ConfigurationError(file: configuration.file, message: "api.auth is not valid: \(error). Use one of tokenEnv, tokenFile, tokenCommand or an oauth2 block (see the README)")
            }
            let provider = try authConfiguration.makeTokenProvider(relativeTo: (configuration.file as NSString).deletingLastPathComponent)
            clientConfiguration.baseURL = baseURL
            return APIConnection(client: PartnerClient(configuration: clientConfiguration, tokenProvider: provider, logger: logger), sandbox: nil)
        }
    }

    func shutdown() async {
        try? await client.shutdown()
        await sandbox?.shutdown()
    }
}
