import Referrals

/// The referral fields a mapping can set, by path, and what kind of value each takes.
///
/// Array items are addressed by index (`customerProfile.team[0].email`, `target[1].id`); a path
/// with `[]` in `TargetPath.fields` accepts indexes 0–9.
enum TargetKind: Hashable, Sendable {
    case string
    case number
    case bool
    case dateTime
    /// One of the documented values.
    case enumeration([String])
}

/// A referral field a mapping can set, resolved once when the mapping loads so that setting it
/// per record is a jump, not a string comparison.
enum TargetField: Hashable, Sendable {
    enum AddressField: Hashable, Sendable { case addressLine1, addressLine2, city, state, postalCode, country, region }
    enum MemberField: Hashable, Sendable { case firstName, lastName, phoneNumber, email, title, locale, disableNotifications }

    case name, statusReason, type, status, substatus, qualification
    case customerName, customerSize, customerIdType, customerId
    case address(AddressField)
    /// The customer's contacts (`customerProfile.team[]`).
    case customerTeam(MemberField)
    /// The partner's own people (`team[]`).
    case team(MemberField)
    case consentToShareInfo, consentToContact, consentToShareWithSellers
    case notes, dealValue, currency, closingDateTime, customerRequestedContact
    case industry, product, service, solutionId, solutionName, solutionType
    case inviteNotes, invitedByOrganization, assistanceRequestCode
    case targetType, targetId
}

struct TargetPath: Hashable, Sendable {
    /// As written, e.g. `customerProfile.team[0].email`.
    let path: String
    /// With indexes removed, e.g. `customerProfile.team[].email`.
    let generic: String
    let indexes: [Int]
    let kind: TargetKind
    let field: TargetField

    /// Every settable path (indexes written `[]`), with its field and kind: the one list of targets.
    static let fields: [String: (TargetField, TargetKind)] = {
        var fields: [String: (TargetField, TargetKind)] = [
            "name": (.name, .string), "statusReason": (.statusReason, .string),
            "type": (.type, .enumeration(ReferralType.documented.map(\.rawValue))),
            "status": (.status, .enumeration(ReferralStatus.documented.map(\.rawValue))),
            "substatus": (.substatus, .enumeration(ReferralSubstatus.documented.map(\.rawValue))),
            "qualification": (.qualification, .enumeration(ReferralQualification.documented.map(\.rawValue))),
            "customerProfile.name": (.customerName, .string),
            "customerProfile.size": (.customerSize, .enumeration(CustomerSize.documented.map(\.rawValue))),
            "customerProfile.ids[].profileType": (.customerIdType, .enumeration(CustomerProfileIdType.documented.map(\.rawValue))),
            "customerProfile.ids[].id": (.customerId, .string),
            "consent.consentToToShareInfoWithOthers": (.consentToShareInfo, .bool),
            "consent.consentToContact": (.consentToContact, .bool),
            "consent.consentToShareReferralWithMicrosoftSellers": (.consentToShareWithSellers, .bool),
            "details.notes": (.notes, .string), "details.dealValue": (.dealValue, .number), "details.currency": (.currency, .string),
            "details.closingDateTime": (.closingDateTime, .dateTime), "details.customerRequestedContact": (.customerRequestedContact, .bool),
            "details.requirements.industries[].id": (.industry, .string), "details.requirements.products[].id": (.product, .string),
            "details.requirements.services[].id": (.service, .string), "details.requirements.solutions[].id": (.solutionId, .string),
            "details.requirements.solutions[].name": (.solutionName, .string),
            "details.requirements.solutions[].type": (.solutionType, .enumeration(SolutionType.documented.map(\.rawValue))),
            "inviteContext.notes": (.inviteNotes, .string), "inviteContext.invitedBy.organizationId": (.invitedByOrganization, .string),
            "inviteContext.assistanceRequestCode": (.assistanceRequestCode, .enumeration(AssistanceRequestCode.documented.map(\.rawValue))),
            "target[].type": (.targetType, .enumeration(TargetType.documented.map(\.rawValue))), "target[].id": (.targetId, .string),
        ]
        let address: [(String, TargetField.AddressField)] = [
            ("addressLine1", .addressLine1), ("addressLine2", .addressLine2), ("city", .city), ("state", .state),
            ("postalCode", .postalCode), ("country", .country), ("region", .region),
        ]
        for (name, field) in address { fields["customerProfile.address." + name] = (.address(field), .string) }
        let member: [(String, TargetField.MemberField, TargetKind)] = [
            ("firstName", .firstName, .string), ("lastName", .lastName, .string), ("phoneNumber", .phoneNumber, .string),
            ("email", .email, .string), ("title", .title, .string), ("contactPreference.locale", .locale, .string),
            ("contactPreference.disableNotifications", .disableNotifications, .bool),
        ]
        for (name, field, kind) in member {
            fields["customerProfile.team[]." + name] = (.customerTeam(field), kind)
            fields["team[]." + name] = (.team(field), kind)
        }
        return fields
    }()

    /// Parses `path`; nil when it names no field a referral has.
    init?(_ path: String) {
        var generic = ""
        var indexes: [Int] = []
        var index = path.startIndex
        while index < path.endIndex {
            let character = path[index]
            if character == "[" {
                guard let close = path[index...].firstIndex(of: "]"), let number = Int(path[path.index(after: index)..<close]), (0...9).contains(number) else { return nil }
                indexes.append(number)
                generic += "[]"
                index = path.index(after: close)
            } else {
                generic.append(character)
                index = path.index(after: index)
            }
        }
        guard let (field, kind) = Self.fields[generic] else { return nil }
        self.path = path
        self.generic = generic
        self.indexes = indexes
        self.kind = kind
        self.field = field
    }

    /// Known paths that look like `path`, for "did you mean".
    static func suggestions(for path: String) -> [String] {
        var lowered = path.lowercased()
        for digit in 0...9 { lowered = lowered.replacingOccurrences(of: "[\(digit)]", with: "[]") }
        let last = lowered.split(separator: ".").last.map(String.init) ?? lowered
        let scored = fields.keys.map { ($0, distance(Array($0.lowercased()), Array(lowered))) }
        let close = scored.filter { $0.1 <= 3 }.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
        if !close.isEmpty { return close }
        return fields.keys.filter { $0.lowercased().hasSuffix("." + last) }.sorted()
    }

    /// Levenshtein distance, for "did you mean".
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// A typed value for a target path.
enum TargetValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case dateTime(APIDateTime)
}

extension Referral {
    /// Sets `field` (item `i` of its array, if it is in one) to `value`, of the field's kind.
    mutating func set(_ value: TargetValue, field: TargetField, index i: Int) {
        switch value {
        case .string(let v): set(v, at: field, index: i)
        case .number(let v): if field == .dealValue { Self.object(&details) { $0.dealValue = v } }
        case .dateTime(let v): if field == .closingDateTime { Self.object(&details) { $0.closingDateTime = v } }
        case .bool(let v):
            switch field {
            case .consentToShareInfo: Self.object(&consent) { $0.consentToToShareInfoWithOthers = v }
            case .consentToContact: Self.object(&consent) { $0.consentToContact = v }
            case .consentToShareWithSellers: Self.object(&consent) { $0.consentToShareReferralWithMicrosoftSellers = v }
            case .customerRequestedContact: Self.object(&details) { $0.customerRequestedContact = v }
            case .customerTeam(.disableNotifications):
                Self.object(&customerProfile) { Self.at(&$0.team, i) { Self.object(&$0.contactPreference) { $0.disableNotifications = v } } }
            case .team(.disableNotifications): Self.at(&team, i) { Self.object(&$0.contactPreference) { $0.disableNotifications = v } }
            default: break
            }
        }
    }

    private mutating func set(_ v: String, at field: TargetField, index i: Int) {
        switch field {
        case .name: name = v
        case .statusReason: statusReason = v
        case .type: type = ReferralType(rawValue: v)
        case .status: status = ReferralStatus(rawValue: v)
        case .substatus: substatus = ReferralSubstatus(rawValue: v)
        case .qualification: qualification = ReferralQualification(rawValue: v)
        case .customerName: Self.object(&customerProfile) { $0.name = v }
        case .customerSize: Self.object(&customerProfile) { $0.size = CustomerSize(rawValue: v) }
        case .customerId: Self.object(&customerProfile) { Self.at(&$0.ids, i) { $0.id = v } }
        case .customerIdType: Self.object(&customerProfile) { Self.at(&$0.ids, i) { $0.profileType = CustomerProfileIdType(rawValue: v) } }
        case .address(let part): Self.object(&customerProfile) { Self.object(&$0.address) { $0.set(v, part) } }
        case .customerTeam(let part): Self.object(&customerProfile) { Self.at(&$0.team, i) { $0.set(v, part) } }
        case .team(let part): Self.at(&team, i) { $0.set(v, part) }
        case .notes: Self.object(&details) { $0.notes = v }
        case .currency: Self.object(&details) { $0.currency = v }
        case .industry: Self.object(&details) { Self.object(&$0.requirements) { Self.at(&$0.industries, i) { $0.id = v } } }
        case .product: Self.object(&details) { Self.object(&$0.requirements) { Self.at(&$0.products, i) { $0.id = v } } }
        case .service: Self.object(&details) { Self.object(&$0.requirements) { Self.at(&$0.services, i) { $0.id = v } } }
        case .solutionId: Self.object(&details) { Self.object(&$0.requirements) { Self.at(&$0.solutions, i) { $0.id = v } } }
        case .solutionName: Self.object(&details) { Self.object(&$0.requirements) { Self.at(&$0.solutions, i) { $0.name = v } } }
        case .solutionType:
            Self.object(&details) { Self.object(&$0.requirements) { Self.at(&$0.solutions, i) { $0.type = SolutionType(rawValue: v) } } }
        case .inviteNotes: Self.object(&inviteContext) { $0.notes = v }
        case .invitedByOrganization: Self.object(&inviteContext) { Self.object(&$0.invitedBy) { $0.organizationId = v } }
        case .assistanceRequestCode: Self.object(&inviteContext) { $0.assistanceRequestCode = AssistanceRequestCode(rawValue: v) }
        case .targetType: Self.at(&target, i) { $0.type = TargetType(rawValue: v) }
        case .targetId: Self.at(&target, i) { $0.id = v }
        case .consentToShareInfo, .consentToContact, .consentToShareWithSellers, .dealValue, .closingDateTime, .customerRequestedContact:
            break  // not strings: the loader checked the kind
        }
    }

    // Both change the value where it is (through `!`), not a copy written back: a customer profile
    // is a few hundred bytes, and a record sets a dozen of its fields.
    static func object<T: DefaultInitializable>(_ value: inout T?, _ change: (inout T) -> Void) {
        if value == nil { value = T.blank }
        change(&value!)
    }

    static func at<T: DefaultInitializable>(_ array: inout [T]?, _ index: Int, _ change: (inout T) -> Void) {
        if array == nil { array = [] }
        while array!.count <= index { array!.append(T.blank) }
        change(&array![index])
    }
}

extension Address {
    fileprivate mutating func set(_ v: String, _ part: TargetField.AddressField) {
        switch part {
        case .addressLine1: addressLine1 = v
        case .addressLine2: addressLine2 = v
        case .city: city = v
        case .state: state = v
        case .postalCode: postalCode = v
        case .country: country = v
        case .region: region = v
        }
    }
}

extension Member {
    fileprivate mutating func set(_ v: String, _ part: TargetField.MemberField) {
        switch part {
        case .firstName: firstName = v
        case .lastName: lastName = v
        case .phoneNumber: phoneNumber = v
        case .email: email = v
        case .title: title = v
        case .locale: Referral.object(&contactPreference) { $0.locale = v }
        case .disableNotifications: break  // a bool: set by `Referral.set(_:at:)`
        }
    }
}

/// A value with every field empty, to fill in from a path.
protocol DefaultInitializable { static var blank: Self { get } }
extension CustomerProfile: DefaultInitializable { static var blank: Self { Self() } }
extension Address: DefaultInitializable { static var blank: Self { Self() } }
extension Member: DefaultInitializable { static var blank: Self { Self() } }
extension ContactPreference: DefaultInitializable { static var blank: Self { Self() } }
extension Consent: DefaultInitializable { static var blank: Self { Self() } }
extension ReferralDetails: DefaultInitializable { static var blank: Self { Self() } }
extension Requirements: DefaultInitializable { static var blank: Self { Self() } }
extension Tag: DefaultInitializable { static var blank: Self { Self() } }
extension SolutionTag: DefaultInitializable { static var blank: Self { Self() } }
extension InviteContext: DefaultInitializable { static var blank: Self { Self() } }
extension InvitedBy: DefaultInitializable { static var blank: Self { Self() } }
extension ReferralTarget: DefaultInitializable { static var blank: Self { Self() } }
extension CustomerProfileId: DefaultInitializable { static var blank: Self { Self() } }
