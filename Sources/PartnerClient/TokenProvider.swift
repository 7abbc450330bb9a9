import Foundation

/// Where bearer tokens come from. The Partner referrals API takes App+User (delegated) tokens only.
///
/// Implementations cache; `forceRefresh` is set once after a 401, to get a fresh token. Errors are
/// `PartnerAPIError` of kind `.auth` naming the source, never containing a token or secret.
public protocol TokenProvider: Sendable {
    func accessToken(forceRefresh: Bool) async throws -> String
}

extension TokenProvider {
    public func accessToken() async throws -> String {
        try await accessToken(forceRefresh: false)
    }
}

/// Checks a token read from a user-supplied source before it goes into a header: a value with a
/// space or control character would make the HTTP library fail with an error that quotes it.
enum BearerToken {
    static func validated(_ raw: String, source: String) throws -> String {
        var token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if token.lowercased().hasPrefix("bearer ") {
            token = String(token.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard !token.isEmpty else {
            throw PartnerAPIError(kind: .auth, message: "\(source) gave an empty token")
        }
        guard token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw PartnerAPIError(
                kind: .auth,
                message: "\(source) gave text with spaces, line breaks or non-ASCII characters, not a bare token (print only the token, e.g. `az account get-access-token --query accessToken -o tsv`)")
        }
        return token
    }
}
