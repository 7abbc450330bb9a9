import Foundation
import Hummingbird
import Logging
import NIOCore
import Referrals

/// Counts of API requests by kind, for tests that assert "no API call".
public struct SandboxRequestCounts: Sendable, Equatable, Codable {
    public var create = 0
    public var get = 0
    public var list = 0
    public var put = 0
    public var patch = 0
    public var token = 0
    public var api: Int { create + get + list + put + patch }
}

/// The Partner API sandbox, running in this process. Start it with `start(_:logger:)`; tests use
/// port 0 and read `baseURL`.
public final class SandboxServer: Sendable {
    public let port: Int
    public let host: String
    let api: SandboxAPI
    private let task: Task<Void, any Error>

    /// `http://HOST:PORT/v1.0`, the base the client appends `/engagements/referrals` to.
    public var baseURL: String { "http://\(host):\(port)/v1.0" }
    /// The token endpoint (Azure AD v1 shape).
    public var tokenURL: String { "http://\(host):\(port)/common/oauth2/token" }
    public var deviceCodeURL: String { "http://\(host):\(port)/common/oauth2/devicecode" }

    private init(port: Int, host: String, api: SandboxAPI, task: Task<Void, any Error>) {
        self.port = port
        self.host = host
        self.api = api
        self.task = task
    }

    /// Starts the server and returns once it listens.
    public static func start(_ configuration: SandboxConfiguration, logger: Logger) async throws -> SandboxServer {
        let store = try ReferralStore(dataFile: configuration.dataFile)
        let api = SandboxAPI(configuration: configuration, store: store, logger: logger)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: api.router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "refbridge-sandbox"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? configuration.port)
                portContinuation.finish()
            },
            logger: logger
        )
        let task = Task {
            do {
                try await application.run()
            } catch {
                portContinuation.finish()
                throw error
            }
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await task.value
            throw SandboxStartError(message: "the sandbox did not start on \(configuration.host):\(configuration.port): is the port in use?")
        }
        api.setBase("http://\(configuration.host):\(port)")
        return SandboxServer(port: port, host: configuration.host, api: api, task: task)
    }

    /// Runs until the task is cancelled (the command cancels it on SIGINT/SIGTERM).
    public func wait() async {
        _ = try? await task.value
    }

    public func shutdown() async {
        task.cancel()
        _ = try? await task.value
        await api.store.close()
    }

    /// Every referral, as the admin dump returns them.
    public func allReferrals() async -> [Referral] {
        await api.store.referrals
    }

    public func requestCounts() -> SandboxRequestCounts {
        api.counts.withLock { $0 }
    }
}
