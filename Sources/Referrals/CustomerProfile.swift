/// The customer the referral is about.
public struct CustomerProfile: Codable, Hashable, Sendable {
    public var name: String?
    public var address: Address?
    public var size: CustomerSize?
    /// The customer's contacts.
    public var team: [Member]?
    public var ids: [CustomerProfileId]?
    /// Seen only in real responses.
    public var isMatchingComplete: Bool?

    public init(
        name: String? = nil, address: Address? = nil, size: CustomerSize? = nil, team: [Member]? = nil,
        ids: [CustomerProfileId]? = nil, isMatchingComplete: Bool? = nil
    ) {
        self.name = name
        self.address = address
        self.size = size
        self.team = team
        self.ids = ids
        self.isMatchingComplete = isMatchingComplete
    }
}

public struct Address: Codable, Hashable, Sendable {
    public var addressLine1: String?
    public var addressLine2: String?
    public var city: String?
    public var state: String?
    public var postalCode: String?
    /// ISO 3166-1 alpha-2, e.g. `US`.
    public var country: String?
    public var region: String?

    public init(
        addressLine1: String? = nil, addressLine2: String? = nil, city: String? = nil, state: String? = nil,
        postalCode: String? = nil, country: String? = nil, region: String? = nil
    ) {
        self.addressLine1 = addressLine1
        self.addressLine2 = addressLine2
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.country = country
        self.region = region
    }
}

/// `{profileType, id}`: the table calls it "CustomerProfileType"; on the wire it is an array of these.
public struct CustomerProfileId: Codable, Hashable, Sendable {
    public var profileType: CustomerProfileIdType?
    public var id: String?

    public init(profileType: CustomerProfileIdType? = nil, id: String? = nil) {
        self.profileType = profileType
        self.id = id
    }
}

/// A person: a customer contact or one of the partner's own team.
public struct Member: Codable, Hashable, Sendable {
    public var firstName: String?
    public var lastName: String?
    public var phoneNumber: String?
    public var email: String?
    public var title: String?
    public var contactPreference: ContactPreference?

    public init(
        firstName: String? = nil, lastName: String? = nil, phoneNumber: String? = nil, email: String? = nil,
        title: String? = nil, contactPreference: ContactPreference? = nil
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
        self.email = email
        self.title = title
        self.contactPreference = contactPreference
    }
}

public struct ContactPreference: Codable, Hashable, Sendable {
    /// A .NET culture name such as `en-US`.
    public var locale: String?
    public var disableNotifications: Bool?

    public init(locale: String? = nil, disableNotifications: Bool? = nil) {
        self.locale = locale
        self.disableNotifications = disableNotifications
    }
}

/// The customer's consent. Every flag is explicit: refbridge never defaults consent.
public struct Consent: Codable, Hashable, Sendable {
    /// The doubled "To" is the API's own spelling; do not correct it.
    public var consentToToShareInfoWithOthers: Bool?
    public var consentToContact: Bool?
    /// `false` makes the deal private.
    public var consentToShareReferralWithMicrosoftSellers: Bool?
    /// Only in the 2018 example.
    public var consentToMicrosoftToContactSpecificPartners: Bool?

    public init(
        consentToToShareInfoWithOthers: Bool? = nil, consentToContact: Bool? = nil,
        consentToShareReferralWithMicrosoftSellers: Bool? = nil,
        consentToMicrosoftToContactSpecificPartners: Bool? = nil
    ) {
        self.consentToToShareInfoWithOthers = consentToToShareInfoWithOthers
        self.consentToContact = consentToContact
        self.consentToShareReferralWithMicrosoftSellers = consentToShareReferralWithMicrosoftSellers
        self.consentToMicrosoftToContactSpecificPartners = consentToMicrosoftToContactSpecificPartners
    }
}
