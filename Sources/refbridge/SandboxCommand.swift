public import ArgumentParser
import Foundation
import Logging
import Sandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local emulator of the Partner Center referrals API.",
        discussion: """
            Serves /v1.0/engagements/referrals (POST, GET, list with the documented $filter, $orderby, $skip, $count, $expand, \
            $top, $select, PUT, PATCH), an Azure-AD-v1-style token endpoint at /common/oauth2/token, \
            GET /_sandbox/referrals (every referral, for counting duplicates), and, playing Microsoft, \
            POST /_sandbox/referrals/ID/accept|decline|win|lose|expire, POST /_sandbox/incoming?count=N and \
            POST /_sandbox/activity (a JSON plan of counts).
            """
    )

    @Option(help: "Port to listen on (0 picks a free one).") var port = 8089
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Keep the state in this file across restarts.") var data: String?
    @Option(help: "Answer 429 beyond this many requests per second.") var throttle: Double?
    @Option(help: "Wait this many milliseconds before every API answer.") var latency = 0
    @Option(
        name: .customLong("fault-rate"),
        help: "Share of API requests (0-1) that meet a fault, split evenly among the kinds in --faults.")
    var faultRate = 0.0
    @Option(
        help: """
            Fault kinds for --fault-rate, comma-separated: 429 (Retry-After: 1), 500, 503 (Retry-After: 1),             drop (POST only: the referral is created, the connection closed before the answer).
            """)
    var faults = "429,500,503,drop"
    @Option(help: "Seed for the faults, so a run repeats.") var seed: UInt64?
    @Option(name: .customLong("create-status"), help: "Status of a successful create: 201, or 200 as the connector's Swagger says.") var createStatus = 201
    @Option(name: .customLong("accept-outgoing"), help: "on: what our organisation creates is accepted at once (Active/Accepted), as the documented example; off: kept as sent.") var acceptOutgoing: Toggle = .on
    @Option(help: "on: a repeated MS-RequestId on POST returns the referral already created (undocumented; default off).") var idempotency: Toggle = .off
    @Option(name: .customLong("token-ttl"), help: "Lifetime in seconds of issued tokens.") var tokenTTL = 3600
    @Option(help: "any: any bearer token until the token endpoint issues one; issued: only issued, unexpired tokens.") var auth: SandboxConfiguration.AuthMode = .any
    @Option(name: .customLong("max-body-bytes"), help: "Refuse larger request bodies with 413.") var maxBodyBytes = 1 << 20
    @Option(name: .customLong("idle-timeout"), help: "Close a connection that sends nothing for this many seconds (idle, or stopped partway through a request).") var idleTimeout = 15.0
    @Option(name: .customLong("date-ranges"), help: "on: $filter on updatedDateTime also takes ge, gt, le, lt (the docs name no operator; default off: eq only).") var dateRanges: Toggle = .off
    @Option(name: .customLong("next-link"), help: "collection: @odata.nextLink under /v1.0/engagements/referrals; documented: as the docs print it, /v1.0/referrals?$skiptoken=….") var nextLink: SandboxConfiguration.NextLinkForm = .collection
    @Option(name: .customLong("expire-after"), help: "Expire referrals nobody closed after this long (e.g. 14d, 2h, 90s): expirationDateTime is set, then Closed/Expired. Off by default.") var expireAfter: String?

    @Option(help: "Play Microsoft: moves and incoming referrals, e.g. 'moves=10,win=2,lose=1,accept=1,decline=1,expire=1,incoming=2' (random picks from --seed).")
    var activity: String?
    @Option(name: .customLong("activity-every"), help: "Apply --activity again every DURATION (e.g. 30s, 5m) while serving; without it, once at start.")
    var activityEvery: String?
    @Flag(name: .customLong("apply-and-exit"), help: "Apply --activity once to the referrals in --data and exit without serving (for the in-process sandbox of `api: sandbox`).")
    var applyAndExit = false

    enum Toggle: String, ExpressibleByArgument, CaseIterable {
        case on, off
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be from 0 to 1") }
        guard createStatus == 200 || createStatus == 201 else { throw ValidationError("--create-status must be 200 or 201") }
        if let throttle, !(throttle.isFinite && throttle >= SandboxConfiguration.slowestThrottle) {
            throw ValidationError("--throttle must be a number of requests per second from \(SandboxConfiguration.slowestThrottle) up")
        }
        guard (1...SandboxConfiguration.longestTokenTTL).contains(tokenTTL) else {
            throw ValidationError("--token-ttl must be from 1 to \(SandboxConfiguration.longestTokenTTL) seconds (ten years)")
        }
        if let expireAfter, SandboxConfiguration.seconds(expireAfter) == nil {
            throw ValidationError("--expire-after takes a duration such as 14d, 2h, 30m or 90s; got '\(expireAfter)'")
        }
        guard latency >= 0 else { throw ValidationError("--latency must be 0 or more milliseconds") }
        guard idleTimeout.isFinite, (0.001...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be from 0.001 to 3600 seconds") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be above 0") }
        _ = try faultMix()
        if let activity, ActivityPlan.parse(activity) == nil {
            throw ValidationError("--activity takes counts such as moves=10,win=2,lose=1,accept=1,decline=1,expire=1,incoming=2; got '\(activity)'")
        }
        if let activityEvery, (SandboxConfiguration.seconds(activityEvery) ?? 0) <= 0 {
            throw ValidationError("--activity-every takes a duration above 0 such as 30s or 5m; got '\(activityEvery)'")
        }
        if (activityEvery != nil || applyAndExit), activity == nil { throw ValidationError("--activity-every and --apply-and-exit need --activity") }
        if applyAndExit, data == nil { throw ValidationError("--apply-and-exit needs --data FILE: the sandbox state to change") }
    }

    /// `--faults` as weights: 1 for each kind named, 0 for the others.
    func faultMix() throws -> SandboxConfiguration.FaultMix {
        let kinds = Set(faults.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        let known: Set<String> = ["429", "500", "503", "drop"]
        guard !kinds.isEmpty, kinds.isSubset(of: known) else {
            throw ValidationError("--faults takes a comma-separated list of 429, 500, 503 and drop; got '\(faults)'")
        }
        func weight(_ kind: String) -> Double { kinds.contains(kind) ? 1 : 0 }
        return .init(throttled: weight("429"), serverError: weight("500"), unavailable: weight("503"), dropAfterCreate: weight("drop"))
    }

    func run() async throws {
        var configuration = SandboxConfiguration()
        configuration.port = port
        configuration.host = host
        configuration.dataFile = data
        configuration.throttle = throttle
        configuration.latencyMilliseconds = latency
        configuration.faultRate = faultRate
        configuration.faultMix = try faultMix()
        configuration.seed = seed
        configuration.createStatus = createStatus
        configuration.acceptOutgoing = acceptOutgoing == .on
        configuration.idempotency = idempotency == .on
        configuration.tokenTTLSeconds = tokenTTL
        configuration.auth = auth
        configuration.maxBodyBytes = maxBodyBytes
        configuration.expireAfter = expireAfter.flatMap(SandboxConfiguration.seconds)
        configuration.dateRanges = dateRanges == .on
        configuration.idleTimeoutSeconds = idleTimeout
        configuration.nextLinkForm = nextLink
        let plan = activity.flatMap(ActivityPlan.parse)
        if let plan, let every = activityEvery.flatMap(SandboxConfiguration.seconds) {
            configuration.activity = plan
            configuration.activityInterval = every
        }
        if applyAndExit { configuration.port = 0 }
        var logger = Logger(label: "refbridge.sandbox")
        // Applying activity and exiting stops the server at once: its shutdown notes are noise there.
        logger.logLevel = applyAndExit ? .critical : .warning
        let server: SandboxServer
        do {
            server = try await SandboxServer.start(configuration, logger: logger, handlingSignals: true)
        } catch {
            FileHandle.standardError.write(Data("refbridge sandbox: \(error)\n".utf8))
            throw Exit.configuration
        }
        if let plan, activityEvery == nil {
            let report = await server.simulate(plan)
            FileHandle.standardOutput.write(Data(Self.describe(report).utf8))
            if applyAndExit {
                await server.shutdown()
                return
            }
        }
        // Straight to the file descriptor, unbuffered: a script waiting for these lines sees them at once.
        let banner = """
            sandbox API:    \(server.baseURL)
            token endpoint: \(server.tokenURL)
            admin dump:     \(server.adminDumpURL)
            Ctrl-C stops it\(data.map { "; the state is kept in \($0)" } ?? "").

            """
        FileHandle.standardOutput.write(Data(banner.utf8))
        // Returns after SIGINT or SIGTERM, once in-flight requests are answered and the state saved.
        try await server.run()
    }
}

extension SandboxCommand {
    /// One line per move and per incoming referral.
    static func describe(_ report: ActivityReport) -> String {
        var text = ""
        for move in report.moved { text += "moved \(move.id): \(move.action.rawValue), \(move.from) → \(move.to) at \(move.updatedDateTime)\n" }
        for id in report.incoming { text += "incoming \(id): New/Pending, invited by Microsoft\n" }
        return text.isEmpty ? "no referral to move\n" : text
    }
}

extension SandboxConfiguration.AuthMode: ExpressibleByArgument {}
extension SandboxConfiguration.NextLinkForm: ExpressibleByArgument {}
