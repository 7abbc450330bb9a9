import Foundation
import HTTPTypes
import Hummingbird
import Referrals

extension SandboxAPI {
    // MARK: POST

    func create(_ request: Request, _ context: SandboxContext) async throws -> Response {
        var referral = try decodeReferral(try await body(request))
        let requestId = request.headers[HTTPField.Name("MS-RequestId")!]
        if configuration.idempotency, let requestId, let existing = await store.referral(requestId: requestId) {
            return referralResponse(existing, status: .init(code: configuration.createStatus))
        }
        // Only what the docs state is refused (docs/api-contract.md); refbridge's own rules are the
        // client's warnings. An unknown engagementId is accepted: nothing documents a check.
        let issues = referral.documentedViolations(for: .create)
        guard issues.isEmpty else { throw SandboxError.validation(issues) }
        // What only the server sets is the server's, whatever the request said.
        referral.createdDateTime = nil
        referral.updatedDateTime = nil
        referral.acceptedDateTime = nil
        referral.closedDateTime = nil
        referral.expirationDateTime = nil
        referral.odataContext = nil
        let id = UUID().uuidString.lowercased()
        referral.id = id
        referral.engagementId = referral.engagementId ?? UUID().uuidString.lowercased()
        referral.organizationId = configuration.organizationId
        referral.organizationName = configuration.organizationName
        referral.direction = .outgoing
        if configuration.acceptOutgoing {
            // As the documented example: what our own organisation creates is accepted at once.
            referral.status = .active
            referral.substatus = .accepted
        } else {
            referral.status = referral.status ?? .new
            referral.substatus = referral.substatus ?? StatusRules.substatuses(for: referral.status ?? .new).first
        }
        referral.eTag = Self.newETag()
        referral.links = links(id: id, engagementId: referral.engagementId ?? "")
        Self.giveAnswerShape(&referral)
        let expireAfter = configuration.expireAfter.flatMap { $0.isFinite && $0 >= 0 ? min($0, Self.longestExpiry) : nil }
        let (stored, _) = await store.insert(referral, requestId: requestId, reuseRequestId: configuration.idempotency) { referral, now in
            referral.createdDateTime = now
            referral.updatedDateTime = now
            if referral.status == .active { referral.acceptedDateTime = now }
            if referral.status == .closed { referral.closedDateTime = now }
            if let seconds = expireAfter, referral.status != .closed {
                referral.expirationDateTime = APIDateTime(now.date.addingTimeInterval(seconds))
                referral.additionalFields["expirationDateTime"] = nil
            }
        }
        return referralResponse(stored, status: .init(code: configuration.createStatus), context: false)
    }

    /// The shape of the service's answers: real ones carry empty arrays (`target: []`, `tags: []`)
    /// and the seed's response `"externalReferenceId": null` and `"expirationDateTime": null`
    /// (partner-api.md, Decisions). The arrays also let the documented PATCH `add /team/-` and
    /// `add /customerProfile/team/-` work on a referral created without a team.
    static func giveAnswerShape(_ referral: inout Referral) {
        referral.team = referral.team ?? []
        referral.target = referral.target ?? []
        if var profile = referral.customerProfile {
            profile.team = profile.team ?? []
            // An `ids` the model could not read (kept raw) stays as it is.
            if profile.additionalFields["ids"] == nil { profile.ids = profile.ids ?? [] }
            referral.customerProfile = profile
        }
        if referral.additionalFields["tags"] == nil { referral.additionalFields["tags"] = .array([]) }
        // A known member in additionalFields is written only while its typed property is nil.
        referral.additionalFields["externalReferenceId"] = referral.externalReferenceId == nil ? .null : nil
        referral.additionalFields["expirationDateTime"] = referral.expirationDateTime == nil ? .null : nil
    }

    /// A hundred years: `--expire-after` beyond that is "never", and dates stay printable.
    static let longestExpiry: Double = 100 * 365 * 86_400

    func links(id: String, engagementId: String) -> ReferralLinks {
        ReferralLinks(
            relatedReferrals: .init(uri: baseURL + Self.collectionPath + "?$filter=engagementId eq '\(engagementId)'", method: "GET"),
            self: .init(uri: baseURL + Self.collectionPath + "/" + id, method: "GET"))
    }

    // MARK: GET

    func get(id: String) async throws -> Response {
        guard let referral = await store.referral(id: id) else { throw SandboxError.notFound(id) }
        return referralResponse(referral, status: .ok)
    }

    func list(_ request: Request) async throws -> Response {
        var query = try ListQuery.parse(Self.queryPairs(request.uri.query), options: .init(dateRanges: configuration.dateRanges))
        let all = await store.referrals
        let remainingTop = query.remaining
        let limit = min(ListQuery.pageSize, remainingTop)
        let (page, total, more) = query.page(of: all, limit: limit)
        var bytes: [UInt8] = Array(#"{"@odata.context":"\#(baseURL)/v1.0/$metadata#Referrals""#.utf8)
        // `@odata.count` only when asked for with `$count=true`, as OData (and the Swagger's $count) has it.
        if query.count { bytes.append(contentsOf: Array(#","@odata.count":\#(total)"#.utf8)) }
        bytes.append(contentsOf: Array(#","value":["#.utf8))
        for (position, index) in page.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: try select(all[index], query.select))
        }
        bytes.append(UInt8(ascii: "]"))
        if more, limit < remainingTop || query.top == nil, let last = page.last.map({ all[$0] }) {
            query.after = ListQuery.Position(key: query.sortKey(last), id: last.id ?? "")
            query.sent += page.count
            let token = query.skipToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            // The documented form (`…/v1.0/referrals?$skiptoken=…`, no /engagements) on request, so
            // the client's following of it is tested; the sandbox serves that path too.
            let path = configuration.nextLinkForm == .documented ? "/v1.0/referrals" : Self.collectionPath
            bytes.append(contentsOf: Array(#","@odata.nextLink":"\#(baseURL)\#(path)?$skiptoken=\#(token)""#.utf8))
        }
        bytes.append(UInt8(ascii: "}"))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private func select(_ referral: Referral, _ fields: [String]?) throws -> [UInt8] {
        let bytes = ReferralJSON.encode(referral)
        guard let fields else { return bytes }
        guard case .object(let all) = try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return bytes }
        let kept = all.filter { fields.contains($0.key) }
        return Array(try JSONEncoder().encode(JSONValue.object(kept)))
    }

    static func queryPairs(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (name, value)
        }
    }

    // MARK: PUT and PATCH

    func put(_ request: Request, id: String) async throws -> Response {
        guard let stored = await store.referral(id: id) else { throw SandboxError.notFound(id) }
        guard let ifMatch = request.headers[.ifMatch] else {
            throw SandboxError(status: .init(code: 428), code: "preconditionRequired", message: "If-Match is required on PUT: send the eTag of the referral you read.", target: "If-Match")
        }
        try checkETag(ifMatch, stored)
        var incoming = try decodeReferral(try await body(request))
        if let bodyId = incoming.id, bodyId != id {
            throw SandboxError.invalidRequest("the body's id '\(bodyId)' differs from the URL's '\(id)'", target: "id")
        }
        incoming.links = nil
        do {
            return try await update(stored: stored, to: incoming, representation: true)
        } catch is WriteConflict {
            throw SandboxError.changedMeanwhile
        }
    }

    func patch(_ request: Request, id: String) async throws -> Response {
        guard var stored = await store.referral(id: id) else { throw SandboxError.notFound(id) }
        let ifMatch = request.headers[.ifMatch]
        if let ifMatch { try checkETag(ifMatch, stored) }
        let data = try await body(request)
        let operations: [JSONPatch.Operation]
        do {
            operations = try JSONDecoder().decode([JSONPatch.Operation].self, from: data)
        } catch {
            throw SandboxError.invalidRequest("the body must be a JSON Patch array of {op, path, value} with op add or replace: \(Self.describe(error))", target: "body")
        }
        let wantsRepresentation = request.headers[HTTPField.Name("Prefer")!]?.lowercased().contains("return=representation") ?? false
        // Without If-Match the patch applies to whatever is current: when another write lands
        // between reading and storing, apply it again to the newer state. Each retry means another
        // write succeeded, so the bound only stops a pathological storm (8 was reached by 12
        // concurrent patches on a loaded 2-core machine).
        for _ in 0..<100 {
            let document = try JSONDecoder().decode(JSONValue.self, from: Data(ReferralJSON.encode(stored)))
            let patched = try JSONPatch.apply(operations, to: document)
            let updated = try decodeReferral(try JSONEncoder().encode(patched))
            do {
                return try await update(stored: stored, to: updated, representation: wantsRepresentation)
            } catch is WriteConflict {
                guard ifMatch == nil, let current = await store.referral(id: id) else { throw SandboxError.changedMeanwhile }
                stored = current
            }
        }
        throw SandboxError.changedMeanwhile
    }

    /// A write lost the race with another one (see `ReferralStore.replace`).
    struct WriteConflict: Error {}

    private func checkETag(_ ifMatch: String, _ stored: Referral) throws {
        guard ifMatch == "*" || ifMatch == stored.eTag else {
            throw SandboxError(status: .preconditionFailed, code: "preconditionFailed", message: "The referral changed since it was read (eTag \(stored.eTag ?? "-")): read it again and retry.", target: "If-Match")
        }
    }

    private func update(stored: Referral, to incoming: Referral, representation: Bool) async throws -> Response {
        var updated = incoming
        // What only the server sets stays as stored.
        updated.id = stored.id
        updated.engagementId = stored.engagementId
        updated.organizationId = stored.organizationId
        updated.organizationName = stored.organizationName
        updated.createdDateTime = stored.createdDateTime
        updated.acceptedDateTime = stored.acceptedDateTime
        updated.direction = stored.direction
        updated.links = stored.links
        updated.odataContext = nil
        if updated.status == nil { updated.status = stored.status }
        // A full update that leaves the substatus out keeps the stored one while the status stays.
        if updated.substatus == nil, updated.status == stored.status { updated.substatus = stored.substatus }
        let issues = updated.documentedViolations(for: .update(from: stored.status))
        guard issues.isEmpty else { throw SandboxError.validation(issues) }
        updated.eTag = Self.newETag()
        updated.expirationDateTime = stored.expirationDateTime
        updated.closedDateTime = stored.closedDateTime
        Self.giveAnswerShape(&updated)
        let wasClosed = stored.status == .closed
        let replaced = await store.replace(updated, expectedETag: stored.eTag) { referral, now in
            referral.updatedDateTime = now
            if referral.status == .closed, !wasClosed { referral.closedDateTime = now }
            // Accepting a referral (New → Active) stamps acceptedDateTime, as the API's newer fields show.
            if referral.status == .active, referral.acceptedDateTime == nil { referral.acceptedDateTime = now }
        }
        guard let updated = replaced else { throw WriteConflict() }
        if representation { return referralResponse(updated, status: .ok) }
        var headers: HTTPFields = [:]
        headers[.eTag] = updated.eTag
        return Response(status: .noContent, headers: headers)
    }

    // MARK: decoding with located errors

    func decodeReferral(_ data: Data) throws -> Referral {
        guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) is [String: Any] else {
            if (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) == nil {
                throw SandboxError.invalidRequest("the body is not valid JSON: send one referral object", target: "body")
            }
            throw SandboxError.invalidRequest("the body must be a JSON object (one referral)", target: "body")
        }
        do {
            return try JSONDecoder().decode(Referral.self, from: data)
        } catch {
            let (path, message) = Self.locate(error)
            throw SandboxError.invalidRequest("\(path): \(message)", target: path)
        }
    }

    static func locate(_ error: any Error) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "referral" : text
        }
        switch error as? DecodingError {
        case .typeMismatch(let type, let context)?:
            return (path(context.codingPath), "has the wrong type: expected \(Self.typeName(type))")
        case .valueNotFound(let type, let context)?:
            return (path(context.codingPath), "must not be null here: expected \(Self.typeName(type))")
        case .keyNotFound(let key, let context)?:
            return (path(context.codingPath + [key]), "is required")
        case .dataCorrupted(let context)?:
            return (path(context.codingPath), context.debugDescription)
        default:
            return ("referral", describe(error))
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Int.Type: "a number"
        case is Bool.Type: "true or false"
        case is Array<Any>.Type: "an array"
        default: "\(type)".contains("Array") ? "an array" : (("\(type)".contains("Dictionary") || "\(type)".first?.isUppercase == true) ? "an object" : "\(type)")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DecodingError {
            let (path, message) = locate(error)
            return "\(path): \(message)"
        }
        return "\(error)"
    }
}
