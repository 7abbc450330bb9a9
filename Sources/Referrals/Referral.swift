/// A Partner Center referral, with the JSON keys the API writes.
///
/// `type`, `customerProfile`, `consent` and `details` are required on create (see `validationIssues`);
/// they are optional here so that a partial or odd server answer still decodes. Fields the model does
/// not name are kept in `additionalFields` and written back unchanged.
public struct Referral: Hashable, Sendable {
    public var id: String?
    public var engagementId: String?
    public var name: String?
    public var organizationId: String?
    public var organizationName: String?
    /// The CRM record id: the key refbridge's ledger is built on.
    public var externalReferenceId: String?
    public var createdDateTime: APIDateTime?
    public var updatedDateTime: APIDateTime?
    public var expirationDateTime: APIDateTime?
    public var closedDateTime: APIDateTime?
    public var acceptedDateTime: APIDateTime?
    public var status: ReferralStatus?
    public var substatus: ReferralSubstatus?
    public var statusReason: String?
    public var type: ReferralType?
    public var qualification: ReferralQualification?
    public var direction: ReferralDirection?
    public var customerProfile: CustomerProfile?
    public var consent: Consent?
    public var details: ReferralDetails?
    /// The partner's own people on the deal.
    public var team: [Member]?
    public var inviteContext: InviteContext?
    public var target: [ReferralTarget]?
    /// The opaque version, literal quotes included (`"\"0000…\""`).
    public var eTag: String?
    public var links: ReferralLinks?
    public var odataContext: String?
    /// Undocumented fields the server sent, by key.
    public var additionalFields: [String: JSONValue]

    // Inlinable: a mapper makes one referral a record; called across modules, the initializer built
    // it and then copied it whole into its result (retaining and releasing every member).
    @inlinable
    public init(
        id: String? = nil, engagementId: String? = nil, name: String? = nil, organizationId: String? = nil,
        organizationName: String? = nil, externalReferenceId: String? = nil, createdDateTime: APIDateTime? = nil,
        updatedDateTime: APIDateTime? = nil, expirationDateTime: APIDateTime? = nil,
        closedDateTime: APIDateTime? = nil, acceptedDateTime: APIDateTime? = nil, status: ReferralStatus? = nil,
        substatus: ReferralSubstatus? = nil, statusReason: String? = nil, type: ReferralType? = nil,
        qualification: ReferralQualification? = nil, direction: ReferralDirection? = nil,
        customerProfile: CustomerProfile? = nil, consent: Consent? = nil, details: ReferralDetails? = nil,
        team: [Member]? = nil, inviteContext: InviteContext? = nil, target: [ReferralTarget]? = nil,
        eTag: String? = nil, links: ReferralLinks? = nil, odataContext: String? = nil,
        additionalFields: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.engagementId = engagementId
        self.name = name
        self.organizationId = organizationId
        self.organizationName = organizationName
        self.externalReferenceId = externalReferenceId
        self.createdDateTime = createdDateTime
        self.updatedDateTime = updatedDateTime
        self.expirationDateTime = expirationDateTime
        self.closedDateTime = closedDateTime
        self.acceptedDateTime = acceptedDateTime
        self.status = status
        self.substatus = substatus
        self.statusReason = statusReason
        self.type = type
        self.qualification = qualification
        self.direction = direction
        self.customerProfile = customerProfile
        self.consent = consent
        self.details = details
        self.team = team
        self.inviteContext = inviteContext
        self.target = target
        self.eTag = eTag
        self.links = links
        self.odataContext = odataContext
        self.additionalFields = additionalFields
    }
}

extension Referral: Codable, JSONObjectModel {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, engagementId, name, organizationId, organizationName, externalReferenceId
        case createdDateTime, updatedDateTime, expirationDateTime, closedDateTime, acceptedDateTime
        case status, substatus, statusReason, type, qualification, direction
        case customerProfile, consent, details, team, inviteContext, target, eTag, links
        case odataContext = "@odata.context"
    }

    /// The JSON keys this model names; everything else lands in `additionalFields`.
    public static let knownKeys: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))

    /// Reads a referral; see `JSONObjectReader` for case-insensitive names and the lenient mode
    /// `ReferralJSON.decode` uses for server answers.
    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        id = try reader.read(String.self, "id")
        engagementId = try reader.read(String.self, "engagementId")
        name = try reader.read(String.self, "name")
        organizationId = try reader.read(String.self, "organizationId")
        organizationName = try reader.read(String.self, "organizationName")
        externalReferenceId = try reader.read(String.self, "externalReferenceId")
        createdDateTime = try reader.read(APIDateTime.self, "createdDateTime")
        updatedDateTime = try reader.read(APIDateTime.self, "updatedDateTime")
        expirationDateTime = try reader.read(APIDateTime.self, "expirationDateTime")
        closedDateTime = try reader.read(APIDateTime.self, "closedDateTime")
        acceptedDateTime = try reader.read(APIDateTime.self, "acceptedDateTime")
        status = try reader.read(ReferralStatus.self, "status")
        substatus = try reader.read(ReferralSubstatus.self, "substatus")
        statusReason = try reader.read(String.self, "statusReason")
        type = try reader.read(ReferralType.self, "type")
        qualification = try reader.read(ReferralQualification.self, "qualification")
        direction = try reader.read(ReferralDirection.self, "direction")
        customerProfile = try reader.read(CustomerProfile.self, "customerProfile")
        consent = try reader.read(Consent.self, "consent")
        details = try reader.read(ReferralDetails.self, "details")
        team = try reader.read([Member].self, "team")
        inviteContext = try reader.read(InviteContext.self, "inviteContext")
        target = try reader.read([ReferralTarget].self, "target")
        eTag = try reader.read(String.self, "eTag")
        links = try reader.read(ReferralLinks.self, "links")
        odataContext = try reader.read(String.self, "@odata.context")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(odataContext, forKey: .odataContext)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(engagementId, forKey: .engagementId)
        try c.encodeIfPresent(organizationId, forKey: .organizationId)
        try c.encodeIfPresent(organizationName, forKey: .organizationName)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(externalReferenceId, forKey: .externalReferenceId)
        try c.encodeIfPresent(createdDateTime, forKey: .createdDateTime)
        try c.encodeIfPresent(updatedDateTime, forKey: .updatedDateTime)
        try c.encodeIfPresent(expirationDateTime, forKey: .expirationDateTime)
        try c.encodeIfPresent(closedDateTime, forKey: .closedDateTime)
        try c.encodeIfPresent(acceptedDateTime, forKey: .acceptedDateTime)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(substatus, forKey: .substatus)
        try c.encodeIfPresent(statusReason, forKey: .statusReason)
        try c.encodeIfPresent(qualification, forKey: .qualification)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(direction, forKey: .direction)
        try c.encodeIfPresent(eTag, forKey: .eTag)
        try c.encodeIfPresent(target, forKey: .target)
        try c.encodeIfPresent(customerProfile, forKey: .customerProfile)
        try c.encodeIfPresent(consent, forKey: .consent)
        try c.encodeIfPresent(details, forKey: .details)
        try c.encodeIfPresent(team, forKey: .team)
        try c.encodeIfPresent(inviteContext, forKey: .inviteContext)
        try c.encodeIfPresent(links, forKey: .links)
        if !additionalFields.isEmpty {
            var all = encoder.container(keyedBy: AnyJSONKey.self)
            // A known key is here only when its typed property is nil (see `JSONObjectModel`).
            for (key, value) in additionalFieldsToWrite() {
                try all.encode(value, forKey: AnyJSONKey(key))
            }
        }
    }
}
