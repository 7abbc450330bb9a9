/// One thing wrong with a referral: where (a JSON path such as `customerProfile.address.country`)
/// and what to do about it.
public struct ValidationIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// The rule that found it; its `severity` says whether the API itself refuses this.
    public var rule: ValidationRule

    public init(path: String, message: String, rule: ValidationRule = .required) {
        self.path = path
        self.message = message
        self.rule = rule
    }

    /// `.error` for what the documents state (the sandbox answers 400), `.warning` for refbridge's
    /// own rules, which a mapping can make errors with `strict:`.
    public var severity: ValidationSeverity { rule.severity }

    public var description: String { "\(path): \(message)" }
}

public enum ValidationSeverity: String, Sendable, Hashable, Codable {
    case error, warning
}

/// The rules the validator applies, each with its source (docs/api-contract.md lists them all).
///
/// The documented ones are errors everywhere, the sandbox's 400s included. The rest are refbridge's
/// decisions: warnings with their reason, never sandbox 400s; a mapping's `strict:` names those it
/// wants treated as errors (or `all`).
public enum ValidationRule: String, Sendable, Hashable, Codable, CaseIterable {
    // Documented: Create a referral, Referral resources (the status table), the enums.
    /// `type`, `customerProfile`, `consent`, `details` on create and on a full update.
    case required
    /// Status/substatus pairs and transitions of the status table.
    case statusTable
    /// `type`, `status`, `substatus`, `qualification`, solution and target `type`: documented enums.
    case documentedEnum

    // Ours.
    case customerName
    case customerAddress
    case consentFlags
    case currencyWithDealValue
    case dealValueRange
    case customerIdValue
    case sharedTarget
    case targetShape
    case connectedEngagement
    case statusNone
    case substatusWithStatus
    case serverSetFields
    case undocumentedEnum
    case length
    case count
    case countryCode
    case currencyCode
    case email
    case locale
    case tagId

    public var severity: ValidationSeverity {
        switch self {
        case .required, .statusTable, .documentedEnum: .error
        default: .warning
        }
    }

    /// Why refbridge applies a rule the docs do not state, for the warning.
    public var reason: String {
        switch self {
        case .required: "Create a referral marks type, customerProfile, consent and details required"
        case .statusTable: "the status table of Referral resources and Update a referral"
        case .documentedEnum: "Referral resources documents these values"
        case .customerName: "Partner Center's UI requires the customer's name and shows and matches on it"
        case .customerAddress: "Partner Center's UI requires the country, and the list filters on it"
        case .consentFlags: "consent is the customer's statement; an absent flag is a default nobody chose"
        case .currencyWithDealValue: "a deal value without a currency is meaningless"
        case .dealValueRange: "a deal value is money: finite, not negative, within Dataverse's money range"
        case .customerIdValue: "an id entry without its value identifies nothing"
        case .sharedTarget: "a Shared referral says whom it is shared with (the two-step of Create a referral)"
        case .targetShape: "a target names whom the referral is shared with"
        case .connectedEngagement: "the connected referral joins the engagement of the Shared one created first"
        case .statusNone: "None has no row in the status table"
        case .substatusWithStatus: "a status without its substatus would leave the stored one behind"
        case .serverSetFields: "Create a referral says to leave out what the server sets"
        case .undocumentedEnum: "the value is not among the documented ones; the service may refuse it"
        case .length: "refbridge's length limits (the Dataverse lead columns); the docs give none"
        case .count: "refbridge's item limits; the docs give none"
        case .countryCode: "the examples and real data use ISO 3166-1 alpha-2 in capitals"
        case .currencyCode: "the docs name ISO 4217, whose codes are capitals"
        case .email: "Partner Center mails these people; a broken address is lost"
        case .locale: "the docs name a .NET culture name"
        case .tagId: "a tag is nothing but its id"
        }
    }
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
    /// Every problem of this referral at once, in field order: errors and warnings.
    public func validationIssues(for purpose: ValidationPurpose = .create) -> [ValidationIssue] {
        ReferralValidator(purpose: purpose).issues(of: self)
    }

    /// Only what the documents state: what the service (and the sandbox) refuses.
    public func documentedViolations(for purpose: ValidationPurpose = .create) -> [ValidationIssue] {
        validationIssues(for: purpose).filter { $0.severity == .error }
    }
}
