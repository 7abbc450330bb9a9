/// The customer the referral is about.
public struct CustomerProfile: Hashable, Sendable {
    public var name: String?
    public var address: Address?
    public var size: CustomerSize?
    /// The customer's contacts.
    public var team: [Member]?
    public var ids: [CustomerProfileId]?
    /// Seen only in real responses.
    public var isMatchingComplete: Bool?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

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

public struct Address: Hashable, Sendable {
    public var addressLine1: String?
    public var addressLine2: String?
    public var city: String?
    public var state: String?
    public var postalCode: String?
    /// ISO 3166-1 alpha-2, e.g. `US`.
    public var country: String?
    public var region: String?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

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
public struct CustomerProfileId: Hashable, Sendable {
    public var profileType: CustomerProfileIdType?
    public var id: String?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

    public init(profileType: CustomerProfileIdType? = nil, id: String? = nil) {
        self.profileType = profileType
        self.id = id
    }
}

/// A person: a customer contact or one of the partner's own team.
public struct Member: Hashable, Sendable {
    public var firstName: String?
    public var lastName: String?
    public var phoneNumber: String?
    public var email: String?
    public var title: String?
    public var contactPreference: ContactPreference?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

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

public struct ContactPreference: Hashable, Sendable {
    /// A .NET culture name such as `en-US`.
    public var locale: String?
    public var disableNotifications: Bool?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

    public init(locale: String? = nil, disableNotifications: Bool? = nil) {
        self.locale = locale
        self.disableNotifications = disableNotifications
    }
}

/// The customer's consent. Every flag is explicit: refbridge never defaults consent.
public struct Consent: Hashable, Sendable {
    /// The doubled "To" is the API's own spelling; do not correct it.
    public var consentToToShareInfoWithOthers: Bool?
    public var consentToContact: Bool?
    /// `false` makes the deal private.
    public var consentToShareReferralWithMicrosoftSellers: Bool?
    /// Only in the 2018 example.
    public var consentToMicrosoftToContactSpecificPartners: Bool?

    /// Members the model does not name (or could not read), kept so a round trip loses nothing.
    public var additionalFields: [String: JSONValue] = [:]

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

extension CustomerProfile: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["name", "address", "size", "team", "ids", "isMatchingComplete"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        name = try reader.read(String.self, "name")
        address = try reader.read(Address.self, "address")
        size = try reader.read(CustomerSize.self, "size")
        team = try reader.read([Member].self, "team")
        ids = try reader.read([CustomerProfileId].self, "ids")
        isMatchingComplete = try reader.read(Bool.self, "isMatchingComplete")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(name, "name")
        try writer.write(address, "address")
        try writer.write(size, "size")
        try writer.write(team, "team")
        try writer.write(ids, "ids")
        try writer.write(isMatchingComplete, "isMatchingComplete")
        try writer.writeAdditionalFields(of: self)
    }
}

extension Address: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["addressLine1", "addressLine2", "city", "state", "postalCode", "country", "region"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        addressLine1 = try reader.read(String.self, "addressLine1")
        addressLine2 = try reader.read(String.self, "addressLine2")
        city = try reader.read(String.self, "city")
        state = try reader.read(String.self, "state")
        postalCode = try reader.read(String.self, "postalCode")
        country = try reader.read(String.self, "country")
        region = try reader.read(String.self, "region")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(addressLine1, "addressLine1")
        try writer.write(addressLine2, "addressLine2")
        try writer.write(city, "city")
        try writer.write(state, "state")
        try writer.write(postalCode, "postalCode")
        try writer.write(country, "country")
        try writer.write(region, "region")
        try writer.writeAdditionalFields(of: self)
    }
}

extension CustomerProfileId: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["profileType", "id"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        profileType = try reader.read(CustomerProfileIdType.self, "profileType")
        id = try reader.read(String.self, "id")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(profileType, "profileType")
        try writer.write(id, "id")
        try writer.writeAdditionalFields(of: self)
    }
}

extension Member: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["firstName", "lastName", "phoneNumber", "email", "title", "contactPreference"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        firstName = try reader.read(String.self, "firstName")
        lastName = try reader.read(String.self, "lastName")
        phoneNumber = try reader.read(String.self, "phoneNumber")
        email = try reader.read(String.self, "email")
        title = try reader.read(String.self, "title")
        contactPreference = try reader.read(ContactPreference.self, "contactPreference")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(firstName, "firstName")
        try writer.write(lastName, "lastName")
        try writer.write(phoneNumber, "phoneNumber")
        try writer.write(email, "email")
        try writer.write(title, "title")
        try writer.write(contactPreference, "contactPreference")
        try writer.writeAdditionalFields(of: self)
    }
}

extension ContactPreference: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["locale", "disableNotifications"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        locale = try reader.read(String.self, "locale")
        disableNotifications = try reader.read(Bool.self, "disableNotifications")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(locale, "locale")
        try writer.write(disableNotifications, "disableNotifications")
        try writer.writeAdditionalFields(of: self)
    }
}

extension Consent: Codable, JSONObjectModel {
    /// The JSON member names this type reads and writes itself.
    public static let knownKeys: Set<String> = ["consentToToShareInfoWithOthers", "consentToContact", "consentToShareReferralWithMicrosoftSellers", "consentToMicrosoftToContactSpecificPartners"]

    public init(from decoder: any Decoder) throws {
        var reader = try JSONObjectReader(decoder)
        consentToToShareInfoWithOthers = try reader.read(Bool.self, "consentToToShareInfoWithOthers")
        consentToContact = try reader.read(Bool.self, "consentToContact")
        consentToShareReferralWithMicrosoftSellers = try reader.read(Bool.self, "consentToShareReferralWithMicrosoftSellers")
        consentToMicrosoftToContactSpecificPartners = try reader.read(Bool.self, "consentToMicrosoftToContactSpecificPartners")
        additionalFields = try reader.additionalFields(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var writer = JSONObjectWriter(encoder)
        try writer.write(consentToToShareInfoWithOthers, "consentToToShareInfoWithOthers")
        try writer.write(consentToContact, "consentToContact")
        try writer.write(consentToShareReferralWithMicrosoftSellers, "consentToShareReferralWithMicrosoftSellers")
        try writer.write(consentToMicrosoftToContactSpecificPartners, "consentToMicrosoftToContactSpecificPartners")
        try writer.writeAdditionalFields(of: self)
    }
}
