import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Referrals
import NIOFoundationEssentialsCompat

/// The routes of the sandbox and what each does.
final class SandboxAPI: Sendable {
    let configuration: SandboxConfiguration
    let store: ReferralStore
    let tokens: TokenService
    let faults: FaultInjector
    let logger: Logger
    let counts = LockedBox(SandboxRequestCounts())
    /// The simulated seller's dice (SandboxAPI+Activity): seeded apart from the faults', so adding
    /// activity to a soak does not change which requests meet a fault.
    let activityRandom: LockedBox<SplitMix64>
    private let base = LockedBox("http://127.0.0.1")

    static let collectionPath = "/v1.0/engagements/referrals"

    init(configuration: SandboxConfiguration, store: ReferralStore, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        tokens = TokenService(ttlSeconds: configuration.tokenTTLSeconds, users: configuration.users, deviceCodeInterval: configuration.deviceCodeInterval, now: configuration.now)
        faults = FaultInjector(configuration: configuration)
        activityRandom = LockedBox(SplitMix64(seed: (configuration.seed ?? UInt64.random(in: 0...UInt64.max)) ^ 0x5E11_E5AC_7171_7E00))
    }

    func setBase(_ url: String) { base.withLock { $0 = url } }
    var baseURL: String { base.withLock { $0 } }

    func router() -> Router<SandboxContext> {
        let router = Router(context: SandboxContext.self)
        router.add(middleware: APIErrorMiddleware())
        router.post("/v1.0/engagements/referrals") { request, context in
            await self.respond(request, context, kind: \.create) { request in try await self.create(request, context) }
        }
        router.get("/v1.0/engagements/referrals") { request, context in
            await self.respond(request, context, kind: \.list) { request in try await self.list(request) }
        }
        // Where the documented @odata.nextLink points (`--next-link documented`).
        router.get("/v1.0/referrals") { request, context in
            await self.respond(request, context, kind: \.list) { request in try await self.list(request) }
        }
        router.get("/v1.0/engagements/referrals/{id}") { request, context in
            await self.respond(request, context, kind: \.get) { _ in try await self.get(id: context.parameters.get("id") ?? "") }
        }
        router.put("/v1.0/engagements/referrals/{id}") { request, context in
            await self.respond(request, context, kind: \.put) { request in try await self.put(request, id: context.parameters.get("id") ?? "") }
        }
        router.patch("/v1.0/engagements/referrals/{id}") { request, context in
            await self.respond(request, context, kind: \.patch) { request in try await self.patch(request, id: context.parameters.get("id") ?? "") }
        }
        router.post("/common/oauth2/token") { request, _ in
            self.counts.withLock { $0.token += 1 }
            if let target = self.configuration.tokenRedirect {
                return Response(status: .temporaryRedirect, headers: [.location: target])
            }
            let form = try await Self.form(request, limit: self.configuration.maxBodyBytes)
            let (status, body) = await self.tokens.token(form: form)
            return Self.json(body, status: .init(code: status))
        }
        router.post("/common/oauth2/devicecode") { request, _ in
            let form = try await Self.form(request, limit: self.configuration.maxBodyBytes)
            let (status, body) = await self.tokens.deviceCode(form: form, verificationURL: self.baseURL + "/devicelogin")
            return Self.json(body, status: .init(code: status))
        }
        router.get("/_sandbox/referrals") { _, _ in
            if self.configuration.expireAfter != nil { await self.store.expireDue(eTag: Self.newETag) }
            let all = await self.store.referrals
            var bytes: [UInt8] = Array(#"{"count":\#(all.count),"value":["#.utf8)
            for (index, referral) in all.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: ReferralJSON.encode(referral))
            }
            bytes.append(contentsOf: Array("]}".utf8))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        addActivityRoutes(router)
        router.get("/_sandbox/stats") { _, _ in
            let counts = self.counts.withLock { $0 }
            let data = (try? JSONEncoder().encode(counts)) ?? Data()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }

    // MARK: the common path: auth, faults, latency, errors, request ids

    private func respond(
        _ request: Request, _ context: SandboxContext, kind: WritableKeyPath<SandboxRequestCounts, Int>,
        _ handler: (Request) async throws -> Response
    ) async -> Response {
        counts.withLock { $0[keyPath: kind] += 1 }
        var echoed: HTTPFields = [:]
        for name in ["MS-RequestId", "MS-CorrelationId", "client-request-id"] {
            if let field = HTTPField.Name(name), let value = request.headers[field] { echoed[field] = value }
        }
        echoed[HTTPField.Name("request-id")!] = request.headers[HTTPField.Name("MS-RequestId")!] ?? UUID().uuidString.lowercased()
        var response: Response
        do {
            try await authenticate(request)
            if configuration.latencyMilliseconds > 0 {
                await configuration.sleep(.milliseconds(configuration.latencyMilliseconds))
            }
            if configuration.expireAfter != nil { await store.expireDue(eTag: Self.newETag) }
            let isCreate = kind == \SandboxRequestCounts.create
            switch await faults.next(isCreate: isCreate) {
            case .throttled(let seconds)?:
                counts.withLock { $0.throttled += 1 }
                var error = SandboxError(status: .tooManyRequests, code: "throttled", message: "Rate limit is exceeded. Try again in \(seconds) seconds.")
                error.headers[.retryAfter] = String(seconds)
                throw error
            case .serverError?:
                throw SandboxError(status: .internalServerError, code: "generalException", message: "An internal error occurred (injected fault).")
            case .unavailable?:
                var error = SandboxError(status: .serviceUnavailable, code: "serviceNotAvailable", message: "The service is unavailable (injected fault).")
                error.headers[.retryAfter] = "1"
                throw error
            case .dropAfterCreate?:
                // The nastiest fault: the referral is created, the answer never arrives.
                _ = try? await handler(request)
                try? await context.channel.close()
                throw SandboxError(status: .internalServerError, code: "connectionDropped", message: "dropped")
            case nil:
                response = try await handler(request)
            }
        } catch let error as SandboxError {
            response = error.response()
        } catch {
            response = SandboxError(status: .internalServerError, code: "generalException", message: "unexpected: \(error)").response()
        }
        for field in echoed { response.headers[field.name] = field.value }
        // Ids and outcome only: never the Authorization header, nor the body (customer data).
        logger.debug(
            "sandbox request",
            metadata: [
                "http.method": "\(request.method)", "http.path": "\(request.uri.path)",
                "http.status": "\(response.status.code)", "request.id": "\(response.headers[HTTPField.Name("request-id")!] ?? "-")",
            ])
        return response
    }

    private func authenticate(_ request: Request) async throws {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw SandboxError.unauthenticated
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw SandboxError.unauthenticated }
        let issuedAny = await tokens.hasIssued
        if configuration.auth == .issued || issuedAny {
            guard await tokens.isValid(token) else {
                var error = SandboxError.unauthenticated
                error.message = "The bearer token is not one this server issued, or it expired: get a new one from the token endpoint."
                throw error
            }
        }
    }

    // MARK: helpers

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func form(_ request: Request, limit: Int) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        let text = String(buffer: buffer)
        var form: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[1])) : ""
            form[name] = value
        }
        return form
    }

    func body(_ request: Request) async throws -> Data {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
            return Data(buffer: buffer)
        } catch {
            throw SandboxError(status: .contentTooLarge, code: "invalidRequest", message: "The request body is larger than \(configuration.maxBodyBytes) bytes.", target: "body")
        }
    }

    func referralResponse(_ referral: Referral, status: HTTPResponse.Status, context: Bool = true) -> Response {
        var referral = referral
        if context { referral.odataContext = baseURL + "/v1.0/$metadata#Referrals/$entity" }
        var headers: HTTPFields = [.contentType: "application/json"]
        if let eTag = referral.eTag { headers[.eTag] = eTag }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: ReferralJSON.encode(referral))))
    }

    static func newETag() -> String {
        let hex = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return "\"\(hex.prefix(8))-0000-0000-0000-\(hex.suffix(12))\""
    }
}
