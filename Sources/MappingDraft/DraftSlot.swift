/// A referral field the draft fills from a source column (or the record id), in the order the
/// presets write them.
enum DraftSlot: String, CaseIterable, Sendable {
    case key, topic, company, street, city, state, postalCode, country, firstName, lastName, email, phone
    case notes, dealValue, currency, closeDate, industry

    /// The referral path, nil for the key.
    var path: String? {
        switch self {
        case .key: nil
        case .topic: "name"
        case .company: "customerProfile.name"
        case .street: "customerProfile.address.addressLine1"
        case .city: "customerProfile.address.city"
        case .state: "customerProfile.address.state"
        case .postalCode: "customerProfile.address.postalCode"
        case .country: "customerProfile.address.country"
        case .firstName: "customerProfile.team[0].firstName"
        case .lastName: "customerProfile.team[0].lastName"
        case .email: "customerProfile.team[0].email"
        case .phone: "customerProfile.team[0].phoneNumber"
        case .notes: "details.notes"
        case .dealValue: "details.dealValue"
        case .currency: "details.currency"
        case .closeDate: "details.closingDateTime"
        case .industry: "details.requirements.industries[0].id"
        }
    }

    /// Slots whose lookup or option set is better read by its OData label than by its code or GUID.
    var prefersLabel: Bool { self == .currency || self == .industry || self == .company || self == .country }
}
