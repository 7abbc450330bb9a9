public import Referrals
import NIOHTTP1

extension PartnerClient {
    /// Creates a referral: `POST {baseURL}/engagements/referrals`.
    ///
    /// Sent again only where the server certainly did not create it: 429 and 503 (after
    /// `Retry-After`), a connection that could not be made, and the first 401 (after a token
    /// refresh). Everything that may have reached the server comes back as `.uncertain` at once.
    ///
    /// - Parameters:
    ///   - referral: the body, encoded by `ReferralJSON.encode(_:)` (the bytes the preview shows).
    ///   - requestId: sent as `MS-RequestId` and `client-request-id`; stable per record, so pass
    ///     the same one on every attempt, including after a reconcile.
    public func create(_ referral: Referral, requestId: String) async -> CreateOutcome {
        let result = await call(.POST, url: collectionURL, body: ReferralJSON.encode(referral), requestId: requestId, safety: .unsafe)
        return Self.createOutcome(result)
    }

    /// Sorts the end of a create call (pure).
    static func createOutcome(_ result: Result<Exchange, PartnerAPIError>) -> CreateOutcome {
        switch result {
        case .failure(let error):
            if error.kind == .auth || error.neverSent { return .failed(error) }
            return .uncertain(error)
        case .success(let answer):
            switch answer.status {
            case 200..<300:
                guard let created = try? ReferralJSON.decode(answer.body), created.id != nil else {
                    // Created, but the answer cannot be read: reconciling will find it.
                    return .uncertain(PartnerAPIError(
                        kind: .decoding, status: answer.status,
                        message: "the create answer (HTTP \(answer.status)) is not a referral with an id; it was probably created"))
                }
                return .created(created)
            case 300..<400:
                var error = answer.error
                error.message = "the API answered a redirect (HTTP \(answer.status)), which the client does not follow: check api.baseURL"
                return .failed(error)
            case 401, 403, 429, 503, 509:
                return .failed(answer.error)
            case 408, 409, 500..<600:
                // 409: the server may know this request already (a repeated MS-RequestId): reconcile.
                return .uncertain(answer.error)
            default:
                return .rejected(answer.error)
            }
        }
    }
}
