public struct ReferralDetails: Codable, Hashable, Sendable {
    public var notes: String?
    public var dealValue: Double?
    /// ISO 4217, e.g. `USD`.
    public var currency: String?
    public var closingDateTime: APIDateTime?
    public var requirements: Requirements?
    public var customerRequestedContact: Bool?
    public var customerAction: String?
    public var incentiveLevel: String?

    public init(
        notes: String? = nil, dealValue: Double? = nil, currency: String? = nil,
        closingDateTime: APIDateTime? = nil, requirements: Requirements? = nil,
        customerRequestedContact: Bool? = nil, customerAction: String? = nil, incentiveLevel: String? = nil
    ) {
        self.notes = notes
        self.dealValue = dealValue
        self.currency = currency
        self.closingDateTime = closingDateTime
        self.requirements = requirements
        self.customerRequestedContact = customerRequestedContact
        self.customerAction = customerAction
        self.incentiveLevel = incentiveLevel
    }
}

public struct Requirements: Codable, Hashable, Sendable {
    public var industries: [Tag]?
    public var products: [Tag]?
    public var services: [Tag]?
    public var solutions: [SolutionTag]?

    public init(industries: [Tag]? = nil, products: [Tag]? = nil, services: [Tag]? = nil, solutions: [SolutionTag]? = nil) {
        self.industries = industries
        self.products = products
        self.services = services
        self.solutions = solutions
    }
}

public struct Tag: Codable, Hashable, Sendable {
    public var id: String?
    public init(id: String? = nil) { self.id = id }
}

public struct SolutionTag: Codable, Hashable, Sendable {
    public var id: String?
    public var name: String?
    public var type: SolutionType?

    public init(id: String? = nil, name: String? = nil, type: SolutionType? = nil) {
        self.id = id
        self.name = name
        self.type = type
    }
}

public struct InviteContext: Codable, Hashable, Sendable {
    public var notes: String?
    public var invitedBy: InvitedBy?
    public var assistanceRequestCode: AssistanceRequestCode?
    public var invitedMpnId: String?

    public init(
        notes: String? = nil, invitedBy: InvitedBy? = nil, assistanceRequestCode: AssistanceRequestCode? = nil,
        invitedMpnId: String? = nil
    ) {
        self.notes = notes
        self.invitedBy = invitedBy
        self.assistanceRequestCode = assistanceRequestCode
        self.invitedMpnId = invitedMpnId
    }
}

public struct InvitedBy: Codable, Hashable, Sendable {
    /// `msft` for Microsoft.
    public var organizationId: String?
    public var organizationName: String?

    public init(organizationId: String? = nil, organizationName: String? = nil) {
        self.organizationId = organizationId
        self.organizationName = organizationName
    }
}

public struct ReferralTarget: Codable, Hashable, Sendable {
    public var type: TargetType?
    /// A solution id, a location GUID, or `msft` for Microsoft.
    public var id: String?

    public init(type: TargetType? = nil, id: String? = nil) {
        self.type = type
        self.id = id
    }

    /// The connected referral of a shared engagement targets Microsoft.
    public static let microsoft = ReferralTarget(type: .businessProfileLocation, id: "msft")
}

public struct ReferralLinks: Codable, Hashable, Sendable {
    public var relatedReferrals: Link?
    public var `self`: Link?

    public init(relatedReferrals: Link? = nil, self selfLink: Link? = nil) {
        self.relatedReferrals = relatedReferrals
        self.`self` = selfLink
    }

    public struct Link: Codable, Hashable, Sendable {
        public var uri: String?
        public var method: String?

        public init(uri: String? = nil, method: String? = nil) {
            self.uri = uri
            self.method = method
        }
    }
}
