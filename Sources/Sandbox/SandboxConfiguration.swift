public import Foundation

/// How the sandbox behaves. Every knob is off by default: a plain, well-behaved API.
public struct SandboxConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests); `SandboxServer.port` tells which.
    public var port = 8089
    /// Where the state is kept between restarts; nil keeps it in memory only.
    public var dataFile: String?
    /// Requests per second across the API; beyond it the answer is 429 with `Retry-After` in whole
    /// seconds and nothing is done. Short bursts pass (GCRA, tolerance max(1/throttle, 0.1 s));
    /// refused requests do not use up the allowance.
    public var throttle: Double?
    /// Waited before every authenticated API answer (faults included), with `sleep`.
    public var latencyMilliseconds = 0
    /// How the sandbox waits (`latencyMilliseconds`); tests record the waits instead of timing them.
    public var sleep: @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }
    /// The share of API requests that meet a fault (0…1), split among the kinds in proportion to
    /// `faultMix`'s weights. `dropAfterCreate` applies to POST only: for other requests the split is
    /// among the remaining kinds. The token endpoint and the admin dump never meet faults.
    public var faultRate = 0.0
    public var faultMix = FaultMix()
    /// Makes faults repeatable.
    public var seed: UInt64?
    /// 201 as the create page implies, or 200 as the connector's Swagger says.
    public var createStatus = 201
    /// A referral our own organisation creates is accepted at once (Active/Accepted), as the
    /// documented example shows.
    public var acceptOutgoing = true
    /// Honour a repeated `MS-RequestId` on POST by returning the referral already created.
    /// Off by default: nothing documents it, so correctness must not rest on it.
    public var idempotency = false
    /// Lifetime in seconds of the tokens the token endpoint issues.
    public var tokenTTLSeconds = 3600
    /// `.any`: any bearer token is accepted until the token endpoint has issued one, then only
    /// issued, unexpired tokens; `.issued`: only issued, unexpired tokens from the start.
    public var auth = AuthMode.any
    /// Larger request bodies are refused with 413 (`invalidRequest`, target `body`).
    public var maxBodyBytes = 1 << 20
    /// "Our" organisation, which owns what we create.
    public var organizationId = "7d23e5ca-19dc-4eaa-aac8-5e6b559f0d1d"
    public var organizationName = "Contoso Company"
    /// Accounts for the token endpoint's password grant (user → password).
    public var users: [String: String] = ["sandbox@example.com": "sandbox"]
    /// `$filter` on `updatedDateTime` with `ge`/`gt`/`le`/`lt` as well as `eq`: the docs list the
    /// field as filterable but name no operator, so a "changed since" pull is tested both ways.
    public var dateRanges = false
    /// The form of `@odata.nextLink`: under the collection (default), or as the docs print it
    /// (`…/v1.0/referrals?$skiptoken=…`, without `/engagements`).
    public var nextLinkForm = NextLinkForm.collection

    public enum NextLinkForm: String, Sendable, CaseIterable {
        case collection, documented
    }

    /// Seconds a connection may send nothing (idle, or stopped partway through its headers or
    /// body) before the sandbox closes it.
    public var idleTimeoutSeconds = 15.0
    /// Seconds after which a referral nobody closed expires: created with `expirationDateTime` set
    /// that far ahead, it moves to Closed/Expired once the time has passed, as the service archives
    /// unanswered referrals (14 days, partner-api.md §3.1). Off (nil) by default.
    public var expireAfter: Double?
    /// Answer the token endpoint with `307 Temporary Redirect` to this URL instead of a token: an
    /// attacker's redirect, for testing that the client never follows it with credentials.
    public var tokenRedirect: String?
    /// The device-code endpoint's `interval`, as text (AAD v1 writes numbers as strings): tests of
    /// a client facing an absurd one ("1e300").
    public var deviceCodeInterval = "1"
    /// The sandbox's clock: the throttle, token and device-code lifetimes read it. Tests pass a
    /// manual clock, so nothing they assert depends on how fast the machine runs.
    public var now: @Sendable () -> Date = { Date() }

    /// Simulated Microsoft activity (issue #13): this plan is applied every `activityInterval`
    /// seconds while the server runs (random picks from `seed`). Off (nil) by default.
    public var activity: ActivityPlan?
    public var activityInterval: Double?

    public enum AuthMode: String, Sendable, CaseIterable {
        case any, issued
    }

    /// The weights of the fault kinds; a fault picks one in proportion.
    public struct FaultMix: Sendable {
        /// 429 with `Retry-After: 1`.
        public var throttled = 1.0
        /// 500, nothing done.
        public var serverError = 1.0
        /// 503 with `Retry-After: 1`, nothing done.
        public var unavailable = 1.0
        /// POST only: the referral is created, then the connection is closed without an answer.
        public var dropAfterCreate = 1.0

        public init(throttled: Double = 1, serverError: Double = 1, unavailable: Double = 1, dropAfterCreate: Double = 1) {
            self.throttled = throttled
            self.serverError = serverError
            self.unavailable = unavailable
            self.dropAfterCreate = dropAfterCreate
        }
    }

    public init() {}

    /// The slowest `throttle` the command accepts: one request in 1,000 s.
    public static let slowestThrottle = 0.001
    /// The longest `tokenTTLSeconds` the command accepts: ten years (longer ones are cut to it).
    public static let longestTokenTTL = 10 * 365 * 86_400

    /// `14d`, `2h`, `30m`, `90s`, `500ms` or bare seconds, as seconds; nil if not a duration of
    /// 0 to 100 years.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
        var number = Substring(trimmed)
        var factor = 1.0
        for (suffix, unit) in units where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            factor = unit
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let seconds = value * factor
        return seconds <= 100 * 365 * 86_400 ? seconds : nil
    }
}
