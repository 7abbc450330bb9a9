public import Referrals
import NIOHTTP1

extension PartnerClient {
    /// Applies a JSON Patch (`add`/`replace`) with `Prefer: return=representation` and returns the
    /// referral as it now is (a 204 is followed by a GET).
    ///
    /// A stale `ifMatch` throws kind `.preconditionFailed`: read again, rebuild the patch, retry.
    ///
    /// Retries: 429, 503, no connection and the first 401 always. A 5xx or a broken connection
    /// only when repeating cannot apply the patch twice: with `If-Match` (a repeat of a patch that
    /// had applied answers 412, since the eTag changed, and the caller re-reads), or when every
    /// operation is a `replace`. An `add` without `If-Match` (e.g. to `/team/-`) is not repeated:
    /// the error is thrown and the caller re-reads.
    public func patch(id: String, operations: [JSONPatchOperation], ifMatch: String?) async throws -> Referral {
        let body = ReferralJSON.encode(JSONValue.array(operations.map { .object(["op": .string($0.op), "path": .string($0.path), "value": $0.value]) }))
        var headers: [(String, String)] = [("Prefer", "return=representation")]
        if let ifMatch { headers.append(("If-Match", ifMatch)) }
        let safety = Self.patchSafety(operations: operations, ifMatch: ifMatch)
        let answer = try await call(.PATCH, url: itemURL(id), body: body, headers: headers, requestId: Self.newRequestId(), safety: safety).get()
        switch answer.status {
        case 200, 201: return try Self.decodeReferral(answer)
        case 202, 204: return try await get(id: id)
        default: throw answer.error
        }
    }

    static func patchSafety(operations: [JSONPatchOperation], ifMatch: String?) -> RetryRules.Safety {
        if ifMatch != nil || operations.allSatisfy({ $0.op == "replace" }) { return .safe }
        return .unsafe
    }
}
