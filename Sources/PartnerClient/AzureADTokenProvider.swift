import AsyncHTTPClient
import Foundation
import NIOCore
import Referrals

/// Tokens from an Azure AD v1 token endpoint (`/common/oauth2/token`): the password grant, or the
/// refresh_token grant from a refresh token stored by `refbridge auth login`. Tokens are cached
/// until shortly before they expire; a rotated refresh token is saved back (0600).
public actor AzureADTokenProvider: TokenProvider {
    public enum Grant: Sendable {
        case password(username: String, password: String)
        /// The refresh token is read from, and rotated in, this file.
        case refreshTokenFile(String)
    }

    let tokenURL: String
    let clientId: String
    let clientSecret: String?
    let resource: String
    let grant: Grant
    let http: HTTPClient
    private var cached: (token: String, expires: Date)?

    public init(tokenURL: String, clientId: String, clientSecret: String?, resource: String = "https://api.partner.microsoft.com", grant: Grant, http: HTTPClient = .shared) {
        self.tokenURL = tokenURL
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.resource = resource
        self.grant = grant
        self.http = http
    }

    public func accessToken(forceRefresh: Bool) async throws -> String {
        if !forceRefresh, let cached, cached.expires > Date().addingTimeInterval(60) { return cached.token }
        var form = ["client_id": clientId, "resource": resource]
        if let clientSecret { form["client_secret"] = clientSecret }
        var refreshFile: String?
        switch grant {
        case .password(let username, let password):
            form["grant_type"] = "password"
            form["scope"] = "openid"
            form["username"] = username
            form["password"] = password
        case .refreshTokenFile(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PartnerAPIError(kind: .auth, message: "no refresh token at \(path): run `refbridge auth login` once")
            }
            form["grant_type"] = "refresh_token"
            form["refresh_token"] = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            refreshFile = path
        }
        let answer = try await Self.post(form: form, to: tokenURL, http: http)
        guard let token = answer["access_token"] else {
            throw PartnerAPIError(kind: .auth, message: "the token endpoint answered without access_token")
        }
        let lifetime = answer["expires_in"].flatMap(Double.init) ?? 3600
        cached = (token, Date().addingTimeInterval(lifetime))
        if let refreshFile, let rotated = answer["refresh_token"] {
            try RefreshTokenFile.save(rotated, to: refreshFile)
        }
        return token
    }

    /// POSTs a form and returns the answer's fields as strings (AAD v1 sends numbers as strings;
    /// numbers are accepted too). OAuth errors become `PartnerAPIError(kind: .auth)` with the
    /// endpoint's description, never the form (it holds secrets).
    static func post(form: [String: String], to url: String, http: HTTPClient) async throws -> [String: String] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        let body = form.sorted { $0.key < $1.key }.map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        let response: HTTPClientResponse
        let bytes: [UInt8]
        do {
            response = try await http.execute(request, timeout: .seconds(30))
            bytes = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            throw PartnerAPIError(kind: .auth, message: "cannot reach the token endpoint \(url): \(error)")
        }
        var fields: [String: String] = [:]
        if let object = try? JSONValueParser.parseObject(bytes) {
            for (key, value) in object {
                switch value {
                case .string(let text): fields[key] = text
                case .number(let number): fields[key] = number == number.rounded() ? String(Int(number)) : String(number)
                default: break
                }
            }
        }
        guard response.status.code == 200 else {
            let code = fields["error"] ?? "HTTP \(response.status.code)"
            throw PartnerAPIError(kind: .auth, status: Int(response.status.code), code: code, message: "the token endpoint refused: \(code): \(fields["error_description"] ?? "")")
        }
        return fields
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// The refresh token `auth login` stores: one line, 0600, written atomically.
public enum RefreshTokenFile {
    public static func save(_ token: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw PartnerAPIError(kind: .auth, message: "cannot write the refresh token file \(path): check its folder")
        }
        if rename(temporary, path) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw PartnerAPIError(kind: .auth, message: "cannot replace the refresh token file \(path)")
        }
    }
}
