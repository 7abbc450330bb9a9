import Foundation
/// A string enum of the Partner API that keeps values it does not know.
///
/// The real API adds values without notice (see `partner-api.md`, "Unknown fields and enum values");
/// decoding must not fail on them and re-encoding must write them back unchanged, so these are
/// structs over their raw string rather than Swift enums.
public protocol OpenStringEnum: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible where RawValue == String
{
    /// The values the contract documents, in its order.
    static var documented: [Self] { get }
    init(rawValue: String)
}

extension OpenStringEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
    /// Whether the contract documents this value.
    public var isDocumented: Bool { Self.documented.contains(self) }

    /// The documented value equal to `text` ignoring case, if any.
    public static func documented(matching text: String) -> Self? {
        documented.first { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }
    }
}

public struct ReferralStatus: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none: Self = "None"
    public static let new: Self = "New"
    public static let active: Self = "Active"
    public static let closed: Self = "Closed"
    public static let documented: [Self] = [.none, .new, .active, .closed]
}

public struct ReferralSubstatus: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none: Self = "None"
    public static let pending: Self = "Pending"
    public static let received: Self = "Received"
    public static let accepted: Self = "Accepted"
    public static let won: Self = "Won"
    public static let lost: Self = "Lost"
    public static let declined: Self = "Declined"
    public static let expired: Self = "Expired"
    public static let documented: [Self] = [.none, .pending, .received, .accepted, .won, .lost, .declined, .expired]
}

public struct ReferralType: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let shared: Self = "Shared"
    public static let independent: Self = "Independent"
    public static let documented: [Self] = [.shared, .independent]
}

public struct ReferralQualification: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none: Self = "None"
    public static let direct: Self = "Direct"
    public static let marketingQualified: Self = "MarketingQualified"
    public static let salesQualified: Self = "SalesQualified"
    public static let documented: [Self] = [.none, .direct, .marketingQualified, .salesQualified]
}

public struct ReferralDirection: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let incoming: Self = "Incoming"
    public static let outgoing: Self = "Outgoing"
    public static let documented: [Self] = [.incoming, .outgoing]
}

public struct SolutionType: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none: Self = "None"
    public static let category: Self = "Category"
    public static let name: Self = "Name"
    public static let documented: [Self] = [.none, .category, .name]
}

public struct TargetType: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none: Self = "None"
    public static let businessProfileLocation: Self = "BusinessProfileLocation"
    public static let solutionProfile: Self = "SolutionProfile"
    public static let documented: [Self] = [.none, .businessProfileLocation, .solutionProfile]
}

public struct AssistanceRequestCode: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let documented: [Self] = [
        "Unknown", "GeneralOrOther", "CustomerTechnicalArchitecture", "ProofOfConceptOrDemo",
        "QuotesOrLicensing", "PostSalesCustomerSuccess", "WorkloadSpecificValueProposition",
    ]
}

public struct CustomerProfileIdType: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let duns: Self = "Duns"
    public static let external: Self = "External"
    public static let documented: [Self] = [.duns, .external]
}

/// The customer's employee band.
public struct CustomerSize: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let documented: [Self] = [
        "1to50employees", "51to500employees", "Morethan500employees", "1to9employees", "10to50employees",
        "51to250employees", "251to1000employees", "1001to5000employees", "5001to10000employees",
        "10001to20000employees", "Morethan20000employees",
    ]
}
