public import Foundation
import Hummingbird
public import Logging
import NIOCore
public import Referrals

/// Counts of requests by kind, for tests that assert "no API call" on a re-run.
public struct SandboxRequestCounts: Sendable, Equatable, Codable {
    public var create = 0
    public var get = 0
    public var list = 0
    public var put = 0
    public var patch = 0
    public var token = 0
    /// API calls answered 429 (by the throttle or an injected fault): refused, nothing done. A
    /// benchmark counts what was accepted, `api - throttled`.
    public var throttled = 0
    /// Calls to the referrals API (the token endpoint and the admin dump are not).
    public var api: Int { create + get + list + put + patch }

    public init() {}
}

/// The Partner API sandbox, running in this process. Start it with `start(_:logger:)`; tests use
/// port 0 and read `baseURL`.
public final class SandboxServer: Sendable {
    public let port: Int
    public let host: String
    let api: SandboxAPI
    private let task: Task<Void, any Error>
    /// The simulated seller (`activity` every `activityInterval`), when configured.
    private let activityTask: Task<Void, Never>?

    /// `http://HOST:PORT`, with an IPv6 host in brackets.
    public var origin: String { Self.origin(host: host, port: port) }
    /// `http://HOST:PORT/v1.0`, the base the client appends `/engagements/referrals` to.
    public var baseURL: String { origin + "/v1.0" }
    /// The token endpoint (Azure AD v1 shape).
    public var tokenURL: String { origin + "/common/oauth2/token" }
    /// The device-code endpoint (Azure AD v1 shape).
    public var deviceCodeURL: String { origin + "/common/oauth2/devicecode" }
    /// Every referral, unauthenticated: `{"count": n, "value": [...]}`.
    public var adminDumpURL: String { origin + "/_sandbox/referrals" }

    static func origin(host: String, port: Int) -> String {
        "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    private init(port: Int, host: String, api: SandboxAPI, task: Task<Void, any Error>, activityTask: Task<Void, Never>?) {
        self.port = port
        self.host = host
        self.api = api
        self.task = task
        self.activityTask = activityTask
    }

    /// Starts the server and returns once it listens.
    ///
    /// - Parameters:
    ///   - configuration: the knobs; `port: 0` picks a free port, which `port` then reports.
    ///   - logger: where the server logs (never tokens, passwords or customer data beyond ids).
    ///   - handlingSignals: `true` for the foreground command: SIGINT and SIGTERM stop the server
    ///     gracefully (Hummingbird's service lifecycle) and `run()` returns. In-process users (tests,
    ///     the embedded sandbox of a sync run) leave it `false` and call `shutdown()`.
    public static func start(_ configuration: SandboxConfiguration, logger: Logger, handlingSignals: Bool = false) async throws -> SandboxServer {
        guard configuration.idleTimeoutSeconds.isFinite, (0.001...3600).contains(configuration.idleTimeoutSeconds) else {
            throw SandboxStartError(message: "the idle timeout must be from 0.001 to 3600 seconds; got \(configuration.idleTimeoutSeconds)")
        }
        let store = try ReferralStore(dataFile: configuration.dataFile, now: configuration.now)
        let api = SandboxAPI(configuration: configuration, store: store, logger: logger)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: api.router(),
            // A connection that sends nothing for this long is closed, whether it is idle between
            // requests or stopped halfway through its headers: 3,000 such held a minute otherwise.
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeoutSeconds * 1000)))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "refbridge-sandbox"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? configuration.port)
                portContinuation.finish()
            },
            logger: logger
        )
        let task = Task {
            do {
                if handlingSignals { try await application.runService() } else { try await application.run() }
            } catch {
                portContinuation.finish()
                throw error
            }
            portContinuation.finish()
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            let reason: String
            do {
                try await task.value
                reason = "it stopped at once"
            } catch {
                reason = "\(error)"
            }
            await store.close()
            throw SandboxStartError(message: "the sandbox did not start on \(configuration.host):\(configuration.port) (is the port in use?): \(reason)")
        }
        api.setBase(Self.origin(host: configuration.host, port: port))
        await store.relink { referral in
            guard let id = referral.id, let engagementId = referral.engagementId else { return referral.links }
            return api.links(id: id, engagementId: engagementId)
        }
        let loaded = await store.count
        logger.info("sandbox listening", metadata: ["sandbox.port": "\(port)", "sandbox.referrals": "\(loaded)"])
        var activityTask: Task<Void, Never>?
        if let plan = configuration.activity, let interval = configuration.activityInterval, interval.isFinite, interval > 0 {
            activityTask = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int64(min(interval, 86_400) * 1000)))
                    guard !Task.isCancelled else { break }
                    let report = await api.simulate(plan)
                    logger.info("sandbox activity", metadata: ["sandbox.moved": "\(report.moved.count)", "sandbox.incoming": "\(report.incoming.count)"])
                }
            }
        }
        return SandboxServer(port: port, host: configuration.host, api: api, task: task, activityTask: activityTask)
    }

    /// Waits until the server stops (after SIGINT or SIGTERM when started `handlingSignals`, or
    /// after `shutdown()`), then saves the state. The command's foreground path.
    public func run() async throws {
        do {
            try await task.value
        } catch is CancellationError {
            // shutdown() cancelled the server: a normal stop.
        }
        activityTask?.cancel()
        await api.store.close()
    }

    /// Stops the server (in-flight requests finish first) and saves the state.
    public func shutdown() async {
        activityTask?.cancel()
        task.cancel()
        _ = try? await task.value
        await api.store.close()
    }

    /// Every referral, as the admin dump returns them.
    public func allReferrals() async -> [Referral] {
        await api.store.referrals
    }

    /// Stores referrals exactly as a recorded answer of the real service has them (a list page
    /// `{"value": […]}`, an array, or one referral), read leniently and answered unchanged: odd
    /// shapes (`"ids": {}`, `"size": ""`), unknown members and enum values included. For testing
    /// a client against real answers. Items without an id get one. Returns how many were stored.
    @discardableResult
    public func seed(recorded data: Data) async throws -> Int {
        let decoder = ReferralJSON.lenientDecoder()
        var items: [Referral]
        if let page = try? decoder.decode(RecordedPage.self, from: data) {
            items = page.value
        } else if let array = try? decoder.decode([Referral].self, from: data) {
            items = array
        } else {
            items = [try decoder.decode(Referral.self, from: data)]
        }
        for index in items.indices where items[index].id == nil { items[index].id = UUID().uuidString.lowercased() }
        await api.store.seed(items)
        return items.count
    }

    private struct RecordedPage: Decodable {
        var value: [Referral]
    }

    /// What the server was asked so far, counted before authentication and faults: every attempt.
    public func requestCounts() -> SandboxRequestCounts {
        api.counts.withLock { $0 }
    }
}
