public import Referrals

/// How a create ended, from the point of view of "does the referral exist now".
public enum CreateOutcome: Sendable {
    /// Any 2xx: the referral as the server returned it.
    case created(Referral)
    /// The server refused the referral itself (a 4xx such as 400, 413, 422): sending it again
    /// would not help. The error holds the API's message.
    case rejected(PartnerAPIError)
    /// The request may have reached the server (no answer in time, a dropped connection, 408, 409,
    /// 500, 502, 504, a 2xx whose body cannot be read): the caller must look for the referral
    /// (list recent referrals) before ever sending it again.
    case uncertain(PartnerAPIError)
    /// Certainly not created, and the client gave up: 429/503 beyond the attempts, no connection,
    /// no token, 401 after a refresh, 403.
    case failed(PartnerAPIError)
}

/// One page of the list endpoint.
public struct ReferralPage: Sendable {
    public var referrals: [Referral]
    /// The next page's URL as the server gave it (`@odata.nextLink`); nil on the last page.
    public var nextLink: String?

    /// Items of the page that were not referral objects, by id where they had one: reported, not
    /// fatal (issue #12). A reconcile that looks for a lost create must treat a page with any as
    /// possibly holding it.
    public var unreadable: [UnreadableReferral]

    public init(referrals: [Referral], nextLink: String?, unreadable: [UnreadableReferral] = []) {
        self.referrals = referrals
        self.nextLink = nextLink
        self.unreadable = unreadable
    }
}

/// A list item that could not be read as a referral.
public struct UnreadableReferral: Sendable, Hashable {
    /// Its `id`, if it had a readable one.
    public var id: String?
    /// Why, without the item's values (they may be customer data).
    public var reason: String

    public init(id: String?, reason: String) {
        self.id = id
        self.reason = reason
    }
}

/// A JSON Patch (RFC 6902) operation; the API supports `add` and `replace` only.
public struct JSONPatchOperation: Codable, Sendable, Hashable {
    /// `replace` or `add`.
    public var op: String
    /// A JSON Pointer, e.g. `/details/dealValue` or `/team/-`.
    public var path: String
    public var value: JSONValue

    public init(op: String, path: String, value: JSONValue) {
        self.op = op
        self.path = path
        self.value = value
    }

    public static func replace(_ path: String, _ value: JSONValue) -> JSONPatchOperation {
        JSONPatchOperation(op: "replace", path: path, value: value)
    }

    public static func add(_ path: String, _ value: JSONValue) -> JSONPatchOperation {
        JSONPatchOperation(op: "add", path: path, value: value)
    }
}
