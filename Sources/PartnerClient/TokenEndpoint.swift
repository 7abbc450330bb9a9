public import AsyncHTTPClient
import Foundation
import NIOCore
import Referrals
import NIOHTTP1

/// An Azure AD v1 token answer. AAD v1 writes numbers as strings (`"expires_in":"3600"`); numbers
/// are accepted too.
struct TokenResponse: Sendable, Equatable {
    var accessToken: String
    var tokenType: String?
    var refreshToken: String?
    /// Seconds from issue.
    var expiresIn: Double?
    /// Absolute expiry (Unix seconds).
    var expiresOn: Date?

    init(fields: [String: JSONValue]) throws {
        func text(_ key: String) -> String? {
            switch fields[key] {
            case .string(let value)?: value.isEmpty ? nil : value
            case .number(let value)?: String(value)
            default: nil
            }
        }
        func number(_ key: String) -> Double? {
            switch fields[key] {
            case .number(let value)?: value
            case .string(let value)?: Double(value.trimmingCharacters(in: .whitespaces))
            default: nil
            }
        }
        guard let accessToken = text("access_token") else {
            throw PartnerAPIError(kind: .auth, message: "the token endpoint answered without an access_token")
        }
        self.accessToken = accessToken
        tokenType = text("token_type")
        refreshToken = text("refresh_token")
        expiresIn = number("expires_in")
        expiresOn = number("expires_on").map { Date(timeIntervalSince1970: $0) }
    }

    /// When the token stops working: `expires_in` after `issued` (immune to clock skew), else
    /// `expires_on`, else an hour (AAD's usual lifetime).
    func expiry(issued: Date) -> Date {
        if let expiresIn, expiresIn > 0 { return issued.addingTimeInterval(expiresIn) }
        if let expiresOn { return expiresOn }
        return issued.addingTimeInterval(3600)
    }
}

/// Form posts to an OAuth endpoint (token, device code).
public enum TokenEndpoint {
    /// The HTTP client of the token path. It never follows a redirect: the form carries the client
    /// secret, user name and password, and a 3xx to another origin would hand them (and then a
    /// token of its choosing) to whoever answered it. `HTTPClient.shared` follows redirects, so it
    /// must not be used here; callers that pass their own client must disallow redirects too.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Marks a failure worth another try (no connection, 429, 5xx); removed from the final error.
    private static let transient = "transient"

    /// POSTs `form` (form-urlencoded) and returns the JSON answer's fields. An OAuth error
    /// (`{"error","error_description"}`) throws `PartnerAPIError(kind: .auth, code: error)`; the
    /// form is never part of a message (it holds secrets). A refused connection, 429 and 5xx are
    /// tried up to `attempts` times.
    static func post(
        _ form: [(String, String)], to url: String, http: HTTPClient, attempts: Int = 3,
        sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) async throws -> [String: JSONValue] {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await postOnce(form, to: url, http: http)
            } catch var error as PartnerAPIError where error.code == transient {
                guard attempt < attempts else {
                    error.code = nil
                    throw error
                }
                try await sleep(.milliseconds(250 * (1 << attempt)))
            }
        }
    }

    private static func postOnce(_ form: [(String, String)], to url: String, http: HTTPClient) async throws -> [String: JSONValue] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: encode(form)))
        let status: Int
        let bytes: [UInt8]
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(30))
            status = Int(response.status.code)
            bytes = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            throw PartnerAPIError(kind: .auth, code: transient, message: "cannot reach the token endpoint \(redacted(url)): \(error)")
        }
        if (300..<400).contains(status) {
            // Reached only with a client that does not follow redirects (`client`): refuse, never re-send.
            let location = response.headers.first(name: "Location").map { " to \(origin($0))" } ?? ""
            throw PartnerAPIError(
                kind: .auth, status: status, code: "redirectRefused",
                message: "the token endpoint \(redacted(url)) answered HTTP \(status), a redirect\(location): refbridge never follows a redirect with credentials; if that address is the real token endpoint, configure it as the token URL")
        }
        var fields: [String: JSONValue] = [:]
        if case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) { fields = object }
        guard status == 200 else {
            if case .string(let code)? = fields["error"] {
                var description = ""
                if case .string(let text)? = fields["error_description"] { description = text }
                // AAD's descriptions run over several lines (trace and correlation ids): keep the first.
                let firstLine = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                throw PartnerAPIError(kind: .auth, status: status, code: code, message: "the token endpoint refused (\(code)): \(firstLine)")
            }
            let isTransient = status == 429 || status >= 500
            throw PartnerAPIError(kind: .auth, status: status, code: isTransient ? transient : nil, message: "the token endpoint \(redacted(url)) answered HTTP \(status)")
        }
        guard !fields.isEmpty else {
            throw PartnerAPIError(kind: .auth, status: status, message: "the token endpoint \(redacted(url)) did not answer JSON")
        }
        return fields
    }

    static func encode(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func escape(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return form.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    /// `scheme://host:port` of a URL, for messages: never its path or query.
    static func origin(_ url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return "another address" }
        return "\(scheme)://\(host)" + (parsed.port.map { ":\($0)" } ?? "")
    }

    /// The URL without a query, for messages.
    static func redacted(_ url: String) -> String {
        String(url.split(separator: "?", maxSplits: 1).first ?? "")
    }
}
