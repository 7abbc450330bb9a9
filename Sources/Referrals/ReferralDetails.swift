public struct ReferralDetails: Hashable, Sendable {
    public var notes: String?
    public var dealValue: Double?
    /// ISO 4217, e.g. `USD`.
    public var currency: String?
    public var closingDateTime: APIDateTime?
    public var requirements: Requirements?
    public var customerRequestedContact: Bool?
    public var customerAction: String?
    public var incentiveLevel: String?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

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

public struct Requirements: Hashable, Sendable {
    public var industries: [Tag]?
    public var products: [Tag]?
    public var services: [Tag]?
    public var solutions: [SolutionTag]?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

    public init(industries: [Tag]? = nil, products: [Tag]? = nil, services: [Tag]? = nil, solutions: [SolutionTag]? = nil) {
        self.industries = industries
        self.products = products
        self.services = services
        self.solutions = solutions
    }
}

public struct Tag: Hashable, Sendable {
    public var id: String?
    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

    public init(id: String? = nil) { self.id = id }
}

public struct SolutionTag: Hashable, Sendable {
    public var id: String?
    public var name: String?
    public var type: SolutionType?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

    public init(id: String? = nil, name: String? = nil, type: SolutionType? = nil) {
        self.id = id
        self.name = name
        self.type = type
    }
}

public struct InviteContext: Hashable, Sendable {
    public var notes: String?
    public var invitedBy: InvitedBy?
    public var assistanceRequestCode: AssistanceRequestCode?
    public var invitedMpnId: String?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

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

public struct InvitedBy: Hashable, Sendable {
    /// `msft` for Microsoft.
    public var organizationId: String?
    public var organizationName: String?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

    public init(organizationId: String? = nil, organizationName: String? = nil) {
        self.organizationId = organizationId
        self.organizationName = organizationName
    }
}

public struct ReferralTarget: Hashable, Sendable {
    public var type: TargetType?
    /// A solution id, a location GUID, or `msft` for Microsoft.
    public var id: String?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

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

extension ReferralDetails: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["notes", "dealValue", "currency", "closingDateTime", "requirements", "customerRequestedContact", "customerAction", "incentiveLevel"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        notes = try reader.read(String.self, "notes")
        dealValue = try reader.read(Double.self, "dealValue")
        currency = try reader.read(String.self, "currency")
        closingDateTime = try reader.read(APIDateTime.self, "closingDateTime")
        requirements = try reader.read(Requirements.self, "requirements")
        customerRequestedContact = try reader.read(Bool.self, "customerRequestedContact")
        customerAction = try reader.read(String.self, "customerAction")
        incentiveLevel = try reader.read(String.self, "incentiveLevel")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(notes, "notes")
        try writer.write(dealValue, "dealValue")
        try writer.write(currency, "currency")
        try writer.write(closingDateTime, "closingDateTime")
        try writer.write(requirements, "requirements")
        try writer.write(customerRequestedContact, "customerRequestedContact")
        try writer.write(customerAction, "customerAction")
        try writer.write(incentiveLevel, "incentiveLevel")
        try writer.writeAdditionalFields(of: self)
    }
}

extension Requirements: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["industries", "products", "services", "solutions"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        industries = try reader.read([Tag].self, "industries")
        products = try reader.read([Tag].self, "products")
        services = try reader.read([Tag].self, "services")
        solutions = try reader.read([SolutionTag].self, "solutions")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(industries, "industries")
        try writer.write(products, "products")
        try writer.write(services, "services")
        try writer.write(solutions, "solutions")
        try writer.writeAdditionalFields(of: self)
    }
}

extension Tag: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["id"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        id = try reader.read(String.self, "id")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(id, "id")
        try writer.writeAdditionalFields(of: self)
    }
}

extension SolutionTag: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["id", "name", "type"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        id = try reader.read(String.self, "id")
        name = try reader.read(String.self, "name")
        type = try reader.read(SolutionType.self, "type")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(id, "id")
        try writer.write(name, "name")
        try writer.write(type, "type")
        try writer.writeAdditionalFields(of: self)
    }
}

extension InviteContext: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["notes", "invitedBy", "assistanceRequestCode", "invitedMpnId"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        notes = try reader.read(String.self, "notes")
        invitedBy = try reader.read(InvitedBy.self, "invitedBy")
        assistanceRequestCode = try reader.read(AssistanceRequestCode.self, "assistanceRequestCode")
        invitedMpnId = try reader.read(String.self, "invitedMpnId")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(notes, "notes")
        try writer.write(invitedBy, "invitedBy")
        try writer.write(assistanceRequestCode, "assistanceRequestCode")
        try writer.write(invitedMpnId, "invitedMpnId")
        try writer.writeAdditionalFields(of: self)
    }
}

extension InvitedBy: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["organizationId", "organizationName"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        organizationId = try reader.read(String.self, "organizationId")
        organizationName = try reader.read(String.self, "organizationName")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(organizationId, "organizationId")
        try writer.write(organizationName, "organizationName")
        try writer.writeAdditionalFields(of: self)
    }
}

extension ReferralTarget: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["type", "id"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        type = try reader.read(TargetType.self, "type")
        id = try reader.read(String.self, "id")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(type, "type")
        try writer.write(id, "id")
        try writer.writeAdditionalFields(of: self)
    }
}
