import ArgumentParser
import Foundation
import Logging
import Sandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local emulator of the Partner Center referrals API.",
        discussion: """
            Serves /v1.0/engagements/referrals (POST, GET, list with the documented $filter, $orderby, \
            $top, $select, PUT, PATCH), an Azure-AD-v1-style token endpoint at /common/oauth2/token, and \
            GET /_sandbox/referrals (every referral, for counting duplicates).
            """
    )

    @Option(help: "Port to listen on (0 picks a free one).") var port = 8089
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Keep the state in this file across restarts.") var data: String?
    @Option(help: "Answer 429 beyond this many requests per second.") var throttle: Double?
    @Option(help: "Add this many milliseconds to every API answer.") var latency = 0
    @Option(name: .customLong("fault-rate"), help: "Share of API requests (0-1) that meet a fault: 429, 500, 503, or a create whose answer is dropped.") var faultRate = 0.0
    @Option(help: "Seed for the faults, so a run repeats.") var seed: UInt64?
    @Option(name: .customLong("create-status"), help: "Status of a successful create: 201, or 200 as the connector's Swagger says.") var createStatus = 201
    @Option(name: .customLong("accept-outgoing"), help: "on: what our organisation creates is accepted at once (Active/Accepted), as the documented example; off: kept as sent.") var acceptOutgoing: Toggle = .on
    @Option(help: "on: a repeated MS-RequestId on POST returns the referral already created (undocumented; default off).") var idempotency: Toggle = .off
    @Option(name: .customLong("token-ttl"), help: "Lifetime in seconds of issued tokens.") var tokenTTL = 3600
    @Option(help: "any: any bearer token until the token endpoint issues one; issued: only issued, unexpired tokens.") var auth: SandboxConfiguration.AuthMode = .any
    @Option(name: .customLong("max-body-bytes"), help: "Refuse larger request bodies with 413.") var maxBodyBytes = 1 << 20

    enum Toggle: String, ExpressibleByArgument, CaseIterable {
        case on, off
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be from 0 to 1") }
        guard createStatus == 200 || createStatus == 201 else { throw ValidationError("--create-status must be 200 or 201") }
        if let throttle, throttle <= 0 { throw ValidationError("--throttle must be above 0 requests per second") }
        guard tokenTTL > 0 else { throw ValidationError("--token-ttl must be above 0 seconds") }
    }

    func run() async throws {
        var configuration = SandboxConfiguration()
        configuration.port = port
        configuration.host = host
        configuration.dataFile = data
        configuration.throttle = throttle
        configuration.latencyMilliseconds = latency
        configuration.faultRate = faultRate
        configuration.seed = seed
        configuration.createStatus = createStatus
        configuration.acceptOutgoing = acceptOutgoing == .on
        configuration.idempotency = idempotency == .on
        configuration.tokenTTLSeconds = tokenTTL
        configuration.auth = auth
        configuration.maxBodyBytes = maxBodyBytes
        var logger = Logger(label: "refbridge.sandbox")
        logger.logLevel = .warning
        let server: SandboxServer
        do {
            server = try await SandboxServer.start(configuration, logger: logger, handlingSignals: true)
        } catch {
            FileHandle.standardError.write(Data("refbridge sandbox: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print("sandbox API:    \(server.baseURL)")
        print("token endpoint: \(server.tokenURL)")
        print("admin dump:     http://\(server.host):\(server.port)/_sandbox/referrals")
        print("Ctrl-C stops it\(data.map { "; the state is kept in \($0)" } ?? "").")
        fflush(stdout)
        // Returns after SIGINT or SIGTERM, once in-flight requests are answered and the state saved.
        try await server.run()
    }
}

extension SandboxConfiguration.AuthMode: ExpressibleByArgument {}
