import Foundation
import Logging
import Referrals
import Sandbox
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A sandbox on a free port and a tiny HTTP client for it.
struct SandboxHarness {
    let server: SandboxServer
    var token = "test-token"

    static func start(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws -> SandboxHarness {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configure(&configuration)
        var logger = Logger(label: "sandbox-test")
        logger.logLevel = .critical
        return SandboxHarness(server: try await SandboxServer.start(configuration, logger: logger))
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var data: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
        var referral: Referral? { try? ReferralJSON.decode(data) }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }
        var errorTarget: String? { (json["error"] as? [String: Any])?["target"] as? String }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:], auth: Bool = true) async throws -> Answer {
        let url = path.hasPrefix("http") ? URL(string: path)! : URL(string: "http://\(server.host):\(server.port)\(path)")!
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if auth { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
        return Answer(status: http.statusCode, headers: fields, data: data)
    }

    func create(_ referral: Referral, headers: [String: String] = [:]) async throws -> Answer {
        try await request("POST", "/v1.0/engagements/referrals", body: Data(ReferralJSON.encode(referral)), headers: headers)
    }

    func form(_ path: String, _ fields: [String: String]) async throws -> Answer {
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await request("POST", path, body: Data(body.utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"], auth: false)
    }

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
}

/// The seed example lives in `shared/` beside the checkout.
enum Seed {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seed-example")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }
}
