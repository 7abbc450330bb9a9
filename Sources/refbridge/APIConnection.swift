import Foundation
import Logging
import PartnerClient
import Sandbox
import Sync

/// The API a run talks to, built here, where the program is put together: the real one (or any
/// URL) with the configured auth, or an in-process sandbox whose state lives in a file so that
/// re-runs see what earlier runs created. The job itself only ever sees a `PartnerClient`.
struct APIConnection {
    var client: PartnerClient
    var sandbox: SandboxServer?

    /// The token source is built first: a missing variable or file is a configuration problem
    /// (exit 2), found before any ledger row or report is written.
    static func tokenProvider(for configuration: JobConfiguration) throws -> (any TokenProvider)? {
        guard case .remote(_, let auth) = configuration.api else { return nil }
        do {
            return try auth.makeTokenProvider(relativeTo: (configuration.file as NSString).deletingLastPathComponent)
        } catch {
            throw ConfigurationError(file: configuration.file, message: "api.auth: \(error)")
        }
    }

    static func open(_ configuration: JobConfiguration, tokenProvider: (any TokenProvider)?, logger: Logger) async throws -> APIConnection {
        var clientConfiguration = PartnerClientConfiguration(baseURL: "")
        clientConfiguration.maxAttempts = configuration.upload.attempts
        clientConfiguration.maxConcurrency = configuration.upload.concurrency
        // The job file bounds the timeout (at most an hour), so the conversion cannot overflow.
        clientConfiguration.requestTimeout = .milliseconds(Int64(configuration.upload.timeoutSeconds * 1000))
        clientConfiguration.correlationId = UUID().uuidString.lowercased()
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
            try FileManager.default.createDirectory(atPath: (options.dataFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            var sandboxLogger = logger
            sandboxLogger.logLevel = .critical
            let server = try await SandboxServer.start(sandboxConfiguration, logger: sandboxLogger)
            clientConfiguration.baseURL = server.baseURL
            let client = PartnerClient(configuration: clientConfiguration, tokenProvider: StaticTokenProvider(token: "sandbox"), logger: logger)
            return APIConnection(client: client, sandbox: server)
        case .remote(let baseURL, _):
            clientConfiguration.baseURL = baseURL
            guard let provider = try tokenProvider ?? Self.tokenProvider(for: configuration) else {
                throw ConfigurationError(file: configuration.file, message: "api.auth: no token source")
            }
            return APIConnection(client: PartnerClient(configuration: clientConfiguration, tokenProvider: provider, logger: logger), sandbox: nil)
        }
    }

    func shutdown() async {
        try? await client.shutdown()
        await sandbox?.shutdown()
    }
}

/// Opens the connection when the job asks for it (once it holds the ledger) and shuts it down after.
final class APIConnector {
    private let configuration: JobConfiguration
    private let tokenProvider: (any TokenProvider)?
    private let logger: Logger
    private var connection: APIConnection?

    init(configuration: JobConfiguration, tokenProvider: (any TokenProvider)?, logger: Logger) {
        self.configuration = configuration
        self.tokenProvider = tokenProvider
        self.logger = logger
    }

    func connect() async throws -> PartnerClient {
        let opened = try await APIConnection.open(configuration, tokenProvider: tokenProvider, logger: logger)
        connection = opened
        return opened.client
    }

    func shutdown() async {
        await connection?.shutdown()
        connection = nil
    }
}
