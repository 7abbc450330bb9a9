import Fixtures
import Foundation
import Logging
import Referrals
import Sandbox
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A sandbox on a free port and a tiny HTTP client for it.
struct SandboxHarness: Sendable {
    let server: SandboxServer
    var token = "test-token"

    static let collection = "/v1.0/engagements/referrals"

    /// Runs `body` against a fresh sandbox and shuts it down on every path.
    static func with(
        _ configure: (inout SandboxConfiguration) -> Void = { _ in },
        _ body: (SandboxHarness) async throws -> Void
    ) async throws {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configure(&configuration)
        var logger = Logger(label: "sandbox-test")
        logger.logLevel = .critical
        let harness = SandboxHarness(server: try await SandboxServer.start(configuration, logger: logger))
        do {
            try await body(harness)
        } catch {
            await harness.server.shutdown()
            throw error
        }
        await harness.server.shutdown()
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var data: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
        var referral: Referral? { try? ReferralJSON.decode(data) }
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
        var errorCode: String? { error["code"] as? String }
        var errorMessage: String { (error["message"] as? String) ?? "" }
        var errorTarget: String? { error["target"] as? String }
        var value: [[String: Any]] { json["value"] as? [[String: Any]] ?? [] }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    func request(
        _ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:], auth: Bool = true
    ) async throws -> Answer {
        let url = path.hasPrefix("http") ? URL(string: path)! : URL(string: "http://\(server.host):\(server.port)\(path)")!
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        if body != nil, headers["Content-Type"] == nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if auth { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
        return Answer(status: http.statusCode, headers: fields, data: data)
    }

    func create(_ referral: Referral, headers: [String: String] = [:]) async throws -> Answer {
        try await request("POST", Self.collection, body: Data(ReferralJSON.encode(referral)), headers: headers)
    }

    func createJSON(_ object: [String: Any]) async throws -> Answer {
        try await request("POST", Self.collection, body: try JSONSerialization.data(withJSONObject: object))
    }

    func get(_ id: String) async throws -> Answer {
        try await request("GET", Self.collection + "/" + id)
    }

    /// A list request; `query` is written unencoded (`$filter=status eq 'New'`) and encoded here.
    func list(_ query: String = "") async throws -> Answer {
        guard !query.isEmpty else { return try await request("GET", Self.collection) }
        let encoded = query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? String(parts[1]).addingPercentEncoding(withAllowedCharacters: .alphanumerics)! : ""
            return "\(parts[0])=\(value)"
        }.joined(separator: "&")
        return try await request("GET", Self.collection + "?" + encoded)
    }

    func patch(_ id: String, _ operations: [[String: Any]], headers: [String: String] = [:]) async throws -> Answer {
        try await request("PATCH", Self.collection + "/" + id, body: try JSONSerialization.data(withJSONObject: operations), headers: headers)
    }

    func form(_ path: String, _ fields: [String: String]) async throws -> Answer {
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
        return try await request(
            "POST", path, body: Data(body.utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"], auth: false)
    }

    /// A valid referral as a client would POST it.
    static func valid(_ externalId: String = UUID().uuidString, type: ReferralType = .independent) -> Referral {
        Referral(
            name: "Deal \(externalId)", externalReferenceId: externalId, status: .new, substatus: .pending, type: type,
            qualification: .salesQualified,
            customerProfile: CustomerProfile(
                name: "Fabrikam Ltd", address: Address(city: "Leeds", country: "GB"),
                team: [Member(firstName: "Ann", lastName: "Lee", email: "ann.lee@fabrikam.example")]),
            consent: Consent(consentToToShareInfoWithOthers: true, consentToContact: true),
            details: ReferralDetails(notes: "Wants Dynamics 365", dealValue: 1200, currency: "GBP"),
            target: type == .shared ? [ReferralTarget(type: .solutionProfile, id: "SOL-1234-ABC")] : nil)
    }

    /// `valid()` as a JSON object, for bodies the model cannot express (wrong types).
    static func validJSON(_ externalId: String = "json") -> [String: Any] {
        try! JSONSerialization.jsonObject(with: Data(ReferralJSON.encode(valid(externalId)))) as! [String: Any]
    }
}

/// The seed example, from the fixtures inside the repository (`SeedFixtures`).
enum Seed {
    static func data(_ name: String) throws -> Data { try SeedFixtures.data(name) }
}
