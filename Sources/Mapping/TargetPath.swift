import Referrals

/// The referral fields a mapping can set, by path, and what kind of value each takes.
///
/// Array items are addressed by index (`customerProfile.team[0].email`, `target[1].id`); a path
/// with `[]` in `TargetPath.kinds` accepts indexes 0–9.
enum TargetKind: Hashable, Sendable {
    case string
    case number
    case bool
    case dateTime
    /// One of the documented values.
    case enumeration([String])
}

struct TargetPath: Hashable, Sendable {
    /// As written, e.g. `customerProfile.team[0].email`.
    let path: String
    /// With indexes removed, e.g. `customerProfile.team[].email`.
    let generic: String
    let indexes: [Int]
    let kind: TargetKind

    static let kinds: [String: TargetKind] = {
        var kinds: [String: TargetKind] = [
            "name": .string, "statusReason": .string,
            "type": .enumeration(ReferralType.documented.map(\.rawValue)),
            "status": .enumeration(ReferralStatus.documented.map(\.rawValue)),
            "substatus": .enumeration(ReferralSubstatus.documented.map(\.rawValue)),
            "qualification": .enumeration(ReferralQualification.documented.map(\.rawValue)),
            "customerProfile.name": .string,
            "customerProfile.size": .enumeration(CustomerSize.documented.map(\.rawValue)),
            "customerProfile.ids[].profileType": .enumeration(CustomerProfileIdType.documented.map(\.rawValue)),
            "customerProfile.ids[].id": .string,
            "consent.consentToToShareInfoWithOthers": .bool, "consent.consentToContact": .bool,
            "consent.consentToShareReferralWithMicrosoftSellers": .bool,
            "details.notes": .string, "details.dealValue": .number, "details.currency": .string,
            "details.closingDateTime": .dateTime, "details.customerRequestedContact": .bool,
            "details.requirements.industries[].id": .string, "details.requirements.products[].id": .string,
            "details.requirements.services[].id": .string, "details.requirements.solutions[].id": .string,
            "details.requirements.solutions[].name": .string,
            "details.requirements.solutions[].type": .enumeration(SolutionType.documented.map(\.rawValue)),
            "inviteContext.notes": .string, "inviteContext.invitedBy.organizationId": .string,
            "inviteContext.assistanceRequestCode": .enumeration(AssistanceRequestCode.documented.map(\.rawValue)),
            "target[].type": .enumeration(TargetType.documented.map(\.rawValue)), "target[].id": .string,
        ]
        for field in ["addressLine1", "addressLine2", "city", "state", "postalCode", "country", "region"] {
            kinds["customerProfile.address." + field] = .string
        }
        for team in ["customerProfile.team[]", "team[]"] {
            for field in ["firstName", "lastName", "phoneNumber", "email", "title", "contactPreference.locale"] {
                kinds["\(team).\(field)"] = .string
            }
            kinds["\(team).contactPreference.disableNotifications"] = .bool
        }
        return kinds
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
        guard let kind = Self.kinds[generic] else { return nil }
        self.path = path
        self.generic = generic
        self.indexes = indexes
        self.kind = kind
    }

    /// Known paths that look like `path`, for "did you mean".
    static func suggestions(for path: String) -> [String] {
        var lowered = path.lowercased()
        for digit in 0...9 { lowered = lowered.replacingOccurrences(of: "[\(digit)]", with: "[]") }
        let last = lowered.split(separator: ".").last.map(String.init) ?? lowered
        let scored = kinds.keys.map { ($0, distance(Array($0.lowercased()), Array(lowered))) }
        let close = scored.filter { $0.1 <= 3 }.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
        if !close.isEmpty { return close }
        return kinds.keys.filter { $0.lowercased().hasSuffix("." + last) }.sorted()
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
    /// Sets the field at `path` (already checked against `TargetPath.kinds`).
    mutating func set(_ value: TargetValue, at path: TargetPath) {
        let i = path.indexes.first ?? 0
        switch (path.generic, value) {
        case ("name", .string(let v)): name = v
        case ("statusReason", .string(let v)): statusReason = v
        case ("type", .string(let v)): type = ReferralType(rawValue: v)
        case ("status", .string(let v)): status = ReferralStatus(rawValue: v)
        case ("substatus", .string(let v)): substatus = ReferralSubstatus(rawValue: v)
        case ("qualification", .string(let v)): qualification = ReferralQualification(rawValue: v)
        case ("target[].type", .string(let v)): Self.at(&target, i) { $0.type = TargetType(rawValue: v) }
        case ("target[].id", .string(let v)): Self.at(&target, i) { $0.id = v }
        case ("inviteContext.notes", .string(let v)): Self.object(&inviteContext) { $0.notes = v }
        case ("inviteContext.invitedBy.organizationId", .string(let v)): Self.object(&inviteContext) { Self.object(&$0.invitedBy) { $0.organizationId = v } }
        case ("inviteContext.assistanceRequestCode", .string(let v)): Self.object(&inviteContext) { $0.assistanceRequestCode = AssistanceRequestCode(rawValue: v) }
        default:
            if path.generic.hasPrefix("customerProfile.") {
                Self.object(&customerProfile) { $0.set(value, at: path) }
            } else if path.generic.hasPrefix("consent.") {
                Self.object(&consent) { $0.set(value, at: path.generic) }
            } else if path.generic.hasPrefix("details.") {
                Self.object(&details) { $0.set(value, at: path) }
            } else if path.generic.hasPrefix("team[].") {
                Self.at(&team, i) { $0.set(value, at: String(path.generic.dropFirst("team[].".count))) }
            }
        }
    }

    static func object<T: DefaultInitializable>(_ value: inout T?, _ change: (inout T) -> Void) {
        var object = value ?? T.blank
        change(&object)
        value = object
    }

    static func at<T: DefaultInitializable>(_ array: inout [T]?, _ index: Int, _ change: (inout T) -> Void) {
        var items = array ?? []
        while items.count <= index { items.append(T.blank) }
        change(&items[index])
        array = items
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

extension CustomerProfile {
    mutating func set(_ value: TargetValue, at path: TargetPath) {
        let i = path.indexes.first ?? 0
        let field = String(path.generic.dropFirst("customerProfile.".count))
        switch (field, value) {
        case ("name", .string(let v)): name = v
        case ("size", .string(let v)): size = CustomerSize(rawValue: v)
        case ("ids[].id", .string(let v)): Referral.at(&ids, i) { $0.id = v }
        case ("ids[].profileType", .string(let v)): Referral.at(&ids, i) { $0.profileType = CustomerProfileIdType(rawValue: v) }
        case (let field, .string(let v)) where field.hasPrefix("address."):
            Referral.object(&address) { address in
                switch field.dropFirst("address.".count) {
                case "addressLine1": address.addressLine1 = v
                case "addressLine2": address.addressLine2 = v
                case "city": address.city = v
                case "state": address.state = v
                case "postalCode": address.postalCode = v
                case "country": address.country = v
                case "region": address.region = v
                default: break
                }
            }
        case (let field, _) where field.hasPrefix("team[]."):
            Referral.at(&team, i) { $0.set(value, at: String(field.dropFirst("team[].".count))) }
        default: break
        }
    }
}

extension Member {
    mutating func set(_ value: TargetValue, at field: String) {
        switch (field, value) {
        case ("firstName", .string(let v)): firstName = v
        case ("lastName", .string(let v)): lastName = v
        case ("phoneNumber", .string(let v)): phoneNumber = v
        case ("email", .string(let v)): email = v
        case ("title", .string(let v)): title = v
        case ("contactPreference.locale", .string(let v)): Referral.object(&contactPreference) { $0.locale = v }
        case ("contactPreference.disableNotifications", .bool(let v)): Referral.object(&contactPreference) { $0.disableNotifications = v }
        default: break
        }
    }
}

extension Consent {
    mutating func set(_ value: TargetValue, at path: String) {
        guard case .bool(let v) = value else { return }
        switch path {
        case "consent.consentToToShareInfoWithOthers": consentToToShareInfoWithOthers = v
        case "consent.consentToContact": consentToContact = v
        case "consent.consentToShareReferralWithMicrosoftSellers": consentToShareReferralWithMicrosoftSellers = v
        default: break
        }
    }
}

extension ReferralDetails {
    mutating func set(_ value: TargetValue, at path: TargetPath) {
        let i = path.indexes.first ?? 0
        switch (path.generic, value) {
        case ("details.notes", .string(let v)): notes = v
        case ("details.dealValue", .number(let v)): dealValue = v
        case ("details.currency", .string(let v)): currency = v
        case ("details.closingDateTime", .dateTime(let v)): closingDateTime = v
        case ("details.customerRequestedContact", .bool(let v)): customerRequestedContact = v
        case ("details.requirements.industries[].id", .string(let v)): Referral.object(&requirements) { Referral.at(&$0.industries, i) { $0.id = v } }
        case ("details.requirements.products[].id", .string(let v)): Referral.object(&requirements) { Referral.at(&$0.products, i) { $0.id = v } }
        case ("details.requirements.services[].id", .string(let v)): Referral.object(&requirements) { Referral.at(&$0.services, i) { $0.id = v } }
        case ("details.requirements.solutions[].id", .string(let v)): Referral.object(&requirements) { Referral.at(&$0.solutions, i) { $0.id = v } }
        case ("details.requirements.solutions[].name", .string(let v)): Referral.object(&requirements) { Referral.at(&$0.solutions, i) { $0.name = v } }
        case ("details.requirements.solutions[].type", .string(let v)): Referral.object(&requirements) { Referral.at(&$0.solutions, i) { $0.type = SolutionType(rawValue: v) } }
        default: break
        }
    }
}
