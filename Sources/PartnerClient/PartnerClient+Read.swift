import Foundation
public import Referrals
import Logging
import NIOHTTP1

extension PartnerClient {
    /// `GET {baseURL}/engagements/referrals/{id}`. 404 throws kind `.notFound`.
    public func get(id: String) async throws -> Referral {
        let answer = try await call(.GET, url: itemURL(id), requestId: Self.newRequestId(), safety: .safe).get()
        guard answer.status == 200 else { throw answer.error }
        return try Self.decodeReferral(answer)
    }

    /// The newest referrals first (`$orderby=createdDateTime desc`) when `url` is nil; otherwise
    /// the page at `url`, a previous page's `nextLink`, followed as given (see ``resolve(nextLink:against:)``).
    public func listPage(url: String?) async throws -> ReferralPage {
        guard let url else {
            return try await list(orderBy: "createdDateTime desc")
        }
        return try await fetchPage(try Self.resolve(nextLink: url, against: collectionURL, base: configuration.baseURL))
    }

    /// The same as `listPage(url:)`, under the name the reconciler uses.
    public func listRecent(nextLink: String?) async throws -> ReferralPage {
        try await listPage(url: nextLink)
    }

    /// A list query with the documented options; follow `nextLink` with `listPage(url:)`.
    /// - Parameters:
    ///   - filter: OData, e.g. `status eq 'New' and substatus eq 'Pending'`; written unencoded.
    ///   - orderBy: `createdDateTime desc` or `updatedDateTime asc`, …
    ///   - top: the most referrals in all pages.
    public func list(filter: String? = nil, orderBy: String? = nil, top: Int? = nil) async throws -> ReferralPage {
        var parts: [String] = []
        if let filter { parts.append("$filter=" + Self.queryEscape(filter)) }
        if let orderBy { parts.append("$orderby=" + Self.queryEscape(orderBy)) }
        if let top { parts.append("$top=\(top)") }
        return try await fetchPage(collectionURL + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&")))
    }

    /// Every referral of a listing, page after page, newest first by default.
    public func all(filter: String? = nil, orderBy: String? = "createdDateTime desc") -> AsyncThrowingStream<Referral, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var page = try await list(filter: filter, orderBy: orderBy)
                    while true {
                        for referral in page.referrals { continuation.yield(referral) }
                        guard let next = page.nextLink, !Task.isCancelled else { break }
                        page = try await listPage(url: next)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func fetchPage(_ url: String) async throws -> ReferralPage {
        let answer = try await call(.GET, url: url, requestId: Self.newRequestId(), safety: .safe).get()
        guard answer.status == 200 else { throw answer.error }
        let page = try Self.decodePage(answer.body)
        for skipped in page.unreadable {
            logger.warning("partner api: a list item could not be read", metadata: ["referral.id": "\(skipped.id ?? "-")", "reason": "\(skipped.reason)"])
        }
        return page
    }

    /// A list answer as a page. Items are read leniently (any JSON object decodes), so only a
    /// non-object is unreadable: it is reported with its id, if it has one, and the page goes on.
    static func decodePage(_ body: [UInt8]) throws -> ReferralPage {
        let envelope: ListEnvelope
        do {
            envelope = try ReferralJSON.lenientDecoder().decode(ListEnvelope.self, from: Data(body))
        } catch {
            throw PartnerAPIError(kind: .decoding, status: 200, message: "the list answer is not a page of referrals: \(Self.describe(error))")
        }
        var referrals: [Referral] = []
        var unreadable: [UnreadableReferral] = []
        for item in envelope.value {
            switch item {
            case .read(let referral): referrals.append(referral)
            case .unreadable(let skipped): unreadable.append(skipped)
            }
        }
        return ReferralPage(referrals: referrals, nextLink: envelope.nextLink.flatMap { $0.isEmpty ? nil : $0 }, unreadable: unreadable)
    }

    private struct ListEnvelope: Decodable {
        var value: [ListItem]
        var nextLink: String?

        enum CodingKeys: String, CodingKey {
            case value
            case nextLink = "@odata.nextLink"
        }
    }

    /// One item of `value`; decoding it never fails.
    private enum ListItem: Decodable {
        case read(Referral)
        case unreadable(UnreadableReferral)

        private struct IdKey: CodingKey {
            var stringValue: String { "id" }
            var intValue: Int? { nil }
            init() {}
            init?(stringValue: String) { nil }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            do {
                self = .read(try Referral(from: decoder))
            } catch {
                let id = try? decoder.container(keyedBy: IdKey.self).decodeIfPresent(String.self, forKey: IdKey())
                self = .unreadable(UnreadableReferral(id: id ?? nil, reason: PartnerClient.describe(error)))
            }
        }
    }

    /// The URL to fetch for a `nextLink`.
    ///
    /// An absolute link is followed verbatim (the documented one has an odd path: `/v1.0/referrals`
    /// without `/engagements`), with two exceptions so the token never leaks: it must point at the
    /// API's own host and port, and `http` is upgraded to `https` when the base is `https`. A
    /// relative link is resolved against the URL of the page that returned it (RFC 3986).
    static func resolve(nextLink: String, against pageURL: String, base: String) throws -> String {
        guard let baseURL = URL(string: base), let pageBase = URL(string: pageURL),
            let link = URL(string: nextLink, relativeTo: pageBase)?.absoluteURL,
            let scheme = link.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else {
            throw PartnerAPIError(kind: .decoding, code: "badNextLink", message: "@odata.nextLink is not a URL: \(nextLink.prefix(200))")
        }
        func port(_ url: URL) -> Int? { url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80) }
        guard sameHost(link.host, baseURL.host) else {
            throw PartnerAPIError(
                kind: .decoding, code: "foreignNextLink",
                message: "@odata.nextLink points at \(link.host ?? "?"), not the API host \(baseURL.host ?? "?"): not followed, so the token is not sent there")
        }
        var text = link.absoluteString
        if baseURL.scheme?.lowercased() == "https", scheme == "http" {
            text = "https" + text.dropFirst(4)
            if link.port == 80 { text = text.replacingOccurrences(of: "://\(link.host!):80", with: "://\(link.host!)") }
        } else if port(link) != port(baseURL) {
            throw PartnerAPIError(kind: .decoding, code: "foreignNextLink", message: "@odata.nextLink points at port \(port(link) ?? 0), not the API's \(port(baseURL) ?? 0): not followed")
        }
        return text
    }

    /// Host names compare case-insensitively; the loopback names are one host (a sandbox bound to
    /// 127.0.0.1 and a base URL that says `localhost`).
    static func sameHost(_ a: String?, _ b: String?) -> Bool {
        let loopback: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]
        guard let a = a?.lowercased(), let b = b?.lowercased() else { return false }
        return a == b || (loopback.contains(a) && loopback.contains(b))
    }

    static func decodeReferral(_ answer: Exchange) throws -> Referral {
        do {
            return try ReferralJSON.decode(answer.body)
        } catch {
            throw PartnerAPIError(kind: .decoding, status: answer.status, message: "the answer is not a referral: \(describe(error))")
        }
    }

    /// A decoding error without the offending values (they may be customer data).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(type(of: error))" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong or missing value at \(path(context))"
        case .keyNotFound(let key, let context): return "missing \(key.stringValue) at \(path(context))"
        case .dataCorrupted(let context): return "invalid JSON at \(path(context)): \(context.debugDescription)"
        @unknown default: return "invalid"
        }
    }

    static func newRequestId() -> String { UUID().uuidString.lowercased() }

    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
