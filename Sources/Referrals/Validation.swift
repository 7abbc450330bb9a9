/// One thing wrong with a referral: where (a JSON path such as `customerProfile.address.country`)
/// and what to do about it.
public struct ValidationIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// What a referral is being checked for.
public enum ValidationPurpose: Sendable, Hashable {
    /// A POST: server-assigned fields must be absent (but `engagementId`, for a connected referral).
    case create
    /// A PUT or PATCH result, checked against the stored referral's status.
    case update(from: ReferralStatus?)
    /// A referral received from the server: only shape rules apply.
    case received
}

extension Referral {
    /// Every problem of this referral at once, in field order.
    public func validationIssues(for purpose: ValidationPurpose = .create) -> [ValidationIssue] {
        ReferralValidator(purpose: purpose).issues(of: self)
    }
}
