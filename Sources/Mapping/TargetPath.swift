import Referrals

/// The referral fields a mapping can set, by path, and what kind of value each takes.
///
/// Array items are addressed by index (`customerProfile.team[0].email`, `target[1].id`) up to the
/// array's item limit (`ReferralLimits.counts`, else 100), or appended with `[+]` (`tags[+]`: each
/// rule with a value adds one item). Every documented member is a target, the undocumented ones
/// real answers carry too (`campaignId`, `tags`, solution `price`, …); anything else is reached with
/// `extra.<path>` (see `ExtraPath`), which writes an unknown member at any level.
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
    // Issue #12 item 11: the rest of the documented and observed members.
    case invitedByName, customerAction, incentiveLevel, consentToContactSpecificPartners
    case solutionPublisherName, solutionSolutionType, solutionCurrency, solutionPrice, solutionQuantity
    case campaignId, salesStage, dealSensitivity, tag, offerId, salesPlay
    /// An unknown member (`extra.<path>`).
    case extra(ExtraPath)
}

/// `extra.<path>`: a member the model does not name, written into `additionalFields` of the object
/// the path reaches. The path goes through the model's objects by their names (`details`,
/// `details.requirements`, `customerProfile`, `customerProfile.address`, `consent`,
/// `inviteContext`, `inviteContext.invitedBy`); from the first name that is not one of them on,
/// it is JSON: objects by name, array items by `[n]` or `[+]`.
/// `extra.details.requirements.additionalRequirements.attributes[0].value` is an example.
struct ExtraPath: Hashable, Sendable {
    enum Container: Hashable, Sendable { case referral, customerProfile, address, consent, details, requirements, inviteContext, invitedBy }
    enum Step: Hashable, Sendable {
        case member(String)
        case item(Int)
        case append
    }

    let container: Container
    /// At least one step, the first a member.
    let steps: [Step]

    private static let children: [Container: [String: Container]] = [
        .referral: ["customerProfile": .customerProfile, "consent": .consent, "details": .details, "inviteContext": .inviteContext],
        .customerProfile: ["address": .address],
        .details: ["requirements": .requirements],
        .inviteContext: ["invitedBy": .invitedBy],
    ]

    /// The members each object names itself: `extra.` must not reach them (use their own path).
    private static func known(_ container: Container) -> Set<String> {
        switch container {
        case .referral: Referral.knownKeys
        case .customerProfile: CustomerProfile.knownKeys
        case .address: Address.knownKeys
        case .consent: Consent.knownKeys
        case .details: ReferralDetails.knownKeys
        case .requirements: Requirements.knownKeys
        case .inviteContext: InviteContext.knownKeys
        case .invitedBy: InvitedBy.knownKeys
        }
    }

    /// Parses what follows `extra.`; nil when it is empty, malformed, or names a member the model
    /// has (map that one by its own path).
    init?(_ text: String, maxIndex: Int) {
        var container = Container.referral
        var steps: [Step] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { return nil }
            var name = Substring(part)
            var items: [Step] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                let inside = name[name.index(after: open)..<name.index(before: name.endIndex)]
                if inside == "+" {
                    items.insert(.append, at: 0)
                } else if let index = Int(inside), (0...maxIndex).contains(index) {
                    items.insert(.item(index), at: 0)
                } else {
                    return nil
                }
                name = name[..<open]
            }
            guard !name.isEmpty, !name.contains("["), !name.contains("]") else { return nil }
            if steps.isEmpty, items.isEmpty, let child = Self.children[container]?[String(name)] {
                container = child
                continue
            }
            if steps.isEmpty, Self.known(container).contains(String(name)) { return nil }
            steps.append(.member(String(name)))
            steps += items
        }
        guard !steps.isEmpty else { return nil }
        self.container = container
        self.steps = steps
    }

    /// `value` written at the steps inside `fields`.
    func set(_ value: JSONValue, in fields: inout [String: JSONValue]) {
        guard case .member(let first)? = steps.first else { return }
        fields[first] = Self.set(value, at: steps.dropFirst(), in: fields[first] ?? .null)
    }

    private static func set(_ value: JSONValue, at steps: ArraySlice<Step>, in node: JSONValue) -> JSONValue {
        guard let step = steps.first else { return value }
        let rest = steps.dropFirst()
        switch step {
        case .member(let name):
            var object: [String: JSONValue] = [:]
            if case .object(let existing) = node { object = existing }
            object[name] = set(value, at: rest, in: object[name] ?? .null)
            return .object(object)
        case .item(let index):
            var array: [JSONValue] = []
            if case .array(let existing) = node { array = existing }
            while array.count <= index { array.append(.null) }
            array[index] = set(value, at: rest, in: array[index])
            return .array(array)
        case .append:
            var array: [JSONValue] = []
            if case .array(let existing) = node { array = existing }
            array.append(set(value, at: rest, in: .null))
            return .array(array)
        }
    }
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
            "inviteContext.invitedBy.organizationName": (.invitedByName, .string),
            "details.customerAction": (.customerAction, .string), "details.incentiveLevel": (.incentiveLevel, .string),
            "consent.consentToMicrosoftToContactSpecificPartners": (.consentToContactSpecificPartners, .bool),
            "details.requirements.solutions[].publisherName": (.solutionPublisherName, .string),
            "details.requirements.solutions[].solutionType": (.solutionSolutionType, .string),
            "details.requirements.solutions[].currency": (.solutionCurrency, .string),
            "details.requirements.solutions[].price": (.solutionPrice, .number),
            "details.requirements.solutions[].quantity": (.solutionQuantity, .number),
            // Undocumented members of real answers and the connector [E][H][I]: free text, as seen.
            "campaignId": (.campaignId, .string), "salesStage": (.salesStage, .string), "dealSensitivity": (.dealSensitivity, .string),
            "tags[]": (.tag, .string),
            "details.requirements.offers[].id": (.offerId, .string), "details.requirements.salesPlays[]": (.salesPlay, .string),
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

    /// `[+]`: a new item at the end of the array.
    static let append = -1
    /// The highest index of an array without a limit in `ReferralLimits.counts`.
    static let defaultMaxIndex = 99

    /// The highest index the array that ends `generic` up to `end` may be written at.
    static func maxIndex(ofArray arrayPath: String) -> Int {
        (ReferralLimits.counts[arrayPath] ?? defaultMaxIndex + 1) - 1
    }

    /// Parses `path`; nil when it names no field a referral has, or an index beyond the array's limit.
    init?(_ path: String) {
        if path.hasPrefix("extra.") {
            guard let extra = ExtraPath(String(path.dropFirst(6)), maxIndex: Self.defaultMaxIndex) else { return nil }
            self.path = path
            generic = path
            indexes = []
            kind = .string
            field = .extra(extra)
            return
        }
        var generic = ""
        var indexes: [Int] = []
        var index = path.startIndex
        while index < path.endIndex {
            let character = path[index]
            if character == "[" {
                guard let close = path[index...].firstIndex(of: "]") else { return nil }
                let inside = path[path.index(after: index)..<close]
                if inside == "+" {
                    indexes.append(Self.append)
                } else {
                    guard let number = Int(inside), number >= 0, number <= Self.maxIndex(ofArray: generic) else { return nil }
                    indexes.append(number)
                }
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
        let lowered = ReferralLimits.genericPathForSuggestions(path.lowercased())
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
    mutating func set(_ value: consuming TargetValue, field: TargetField, index i: Int) {
        switch consume value {
        case .string(let v): set(v, at: field, index: i)
        case .number(let v):
            switch field {
            case .dealValue: Self.object(&details) { $0.dealValue = v }
            case .solutionPrice: Self.solution(&details, i) { $0.additionalFields["price"] = .number(v) }
            case .solutionQuantity: Self.solution(&details, i) { $0.additionalFields["quantity"] = .number(v) }
            default: break
            }
        case .dateTime(let v): if field == .closingDateTime { Self.object(&details) { $0.closingDateTime = v } }
        case .bool(let v):
            switch field {
            case .consentToShareInfo: Self.object(&consent) { $0.consentToToShareInfoWithOthers = v }
            case .consentToContact: Self.object(&consent) { $0.consentToContact = v }
            case .consentToShareWithSellers: Self.object(&consent) { $0.consentToShareReferralWithMicrosoftSellers = v }
            case .consentToContactSpecificPartners: Self.object(&consent) { $0.consentToMicrosoftToContactSpecificPartners = v }
            case .customerRequestedContact: Self.object(&details) { $0.customerRequestedContact = v }
            case .customerTeam(.disableNotifications):
                Self.object(&customerProfile) { Self.at(&$0.team, i) { Self.object(&$0.contactPreference) { $0.disableNotifications = v } } }
            case .team(.disableNotifications): Self.at(&team, i) { Self.object(&$0.contactPreference) { $0.disableNotifications = v } }
            default: break
            }
        }
    }

    /// Sets a string field, moving `v` into place: the members are changed through `!`, not in
    /// closures (a closure borrows what it captures, so `v` was copied into the referral, a
    /// retain and later a release for every value of every record).
    private mutating func set(_ v: __owned String, at field: TargetField, index i: Int) {
        switch field {
        case .name: name = v
        case .statusReason: statusReason = v
        case .type: type = ReferralType(rawValue: v)
        case .status: status = ReferralStatus(rawValue: v)
        case .substatus: substatus = ReferralSubstatus(rawValue: v)
        case .qualification: qualification = ReferralQualification(rawValue: v)
        case .customerName: Self.ensure(&customerProfile); customerProfile!.name = v
        case .customerSize: Self.object(&customerProfile) { $0.size = CustomerSize(rawValue: v) }
        case .customerId: Self.object(&customerProfile) { Self.at(&$0.ids, i) { $0.id = v } }
        case .customerIdType: Self.object(&customerProfile) { Self.at(&$0.ids, i) { $0.profileType = CustomerProfileIdType(rawValue: v) } }
        case .address(let part):
            Self.ensure(&customerProfile)
            Self.ensure(&customerProfile!.address)
            customerProfile!.address!.set(v, part)
        case .customerTeam(let part):
            Self.ensure(&customerProfile)
            let position = Self.slot(&customerProfile!.team, i)
            customerProfile!.team![position].set(v, part)
        case .team(let part):
            let position = Self.slot(&team, i)
            team![position].set(v, part)
        case .notes: Self.ensure(&details); details!.notes = v
        case .currency: Self.ensure(&details); details!.currency = v
        case .industry:
            Self.ensure(&details)
            Self.ensure(&details!.requirements)
            let position = Self.slot(&details!.requirements!.industries, i)
            details!.requirements!.industries![position].id = v
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
        case .invitedByName: Self.object(&inviteContext) { Self.object(&$0.invitedBy) { $0.organizationName = v } }
        case .customerAction: Self.object(&details) { $0.customerAction = v }
        case .incentiveLevel: Self.object(&details) { $0.incentiveLevel = v }
        case .solutionPublisherName: Self.solution(&details, i) { $0.additionalFields["publisherName"] = .string(v) }
        case .solutionSolutionType: Self.solution(&details, i) { $0.additionalFields["solutionType"] = .string(v) }
        case .solutionCurrency: Self.solution(&details, i) { $0.additionalFields["currency"] = .string(v) }
        case .campaignId: additionalFields["campaignId"] = .string(v)
        case .salesStage: additionalFields["salesStage"] = .string(v)
        case .dealSensitivity: additionalFields["dealSensitivity"] = .string(v)
        case .tag: Self.item(&additionalFields, "tags", i, .string(v))
        case .offerId:
            Self.object(&details) {
                Self.object(&$0.requirements) { Self.item(&$0.additionalFields, "offers", i, .object(["id": .string(v)]), merging: true) }
            }
        case .salesPlay: Self.object(&details) { Self.object(&$0.requirements) { Self.item(&$0.additionalFields, "salesPlays", i, .string(v)) } }
        case .extra(let path): setExtra(.string(v), at: path)
        case .consentToShareInfo, .consentToContact, .consentToShareWithSellers, .dealValue, .closingDateTime, .customerRequestedContact,
            .consentToContactSpecificPartners, .solutionPrice, .solutionQuantity:
            break  // not strings: the loader checked the kind
        }
    }

    private mutating func setExtra(_ value: JSONValue, at path: ExtraPath) {
        switch path.container {
        case .referral: path.set(value, in: &additionalFields)
        case .customerProfile: Self.object(&customerProfile) { path.set(value, in: &$0.additionalFields) }
        case .address: Self.object(&customerProfile) { Self.object(&$0.address) { path.set(value, in: &$0.additionalFields) } }
        case .consent: Self.object(&consent) { path.set(value, in: &$0.additionalFields) }
        case .details: Self.object(&details) { path.set(value, in: &$0.additionalFields) }
        case .requirements: Self.object(&details) { Self.object(&$0.requirements) { path.set(value, in: &$0.additionalFields) } }
        case .inviteContext: Self.object(&inviteContext) { path.set(value, in: &$0.additionalFields) }
        case .invitedBy: Self.object(&inviteContext) { Self.object(&$0.invitedBy) { path.set(value, in: &$0.additionalFields) } }
        }
    }

    private static func solution(_ details: inout ReferralDetails?, _ index: Int, _ change: (inout SolutionTag) -> Void) {
        object(&details) { object(&$0.requirements) { at(&$0.solutions, index, change) } }
    }

    /// Item `index` (or a new one, for `[+]`) of the array member `name` of `fields`: `value`,
    /// or with `merging` the members of the object `value` added to the item's.
    static func item(_ fields: inout [String: JSONValue], _ name: String, _ index: Int, _ value: JSONValue, merging: Bool = false) {
        var items: [JSONValue] = []
        if case .array(let existing)? = fields[name] { items = existing }
        let position = index == TargetPath.append ? items.count : index
        while items.count <= position { items.append(.null) }
        if merging, case .object(let old) = items[position], case .object(let new) = value {
            items[position] = .object(old.merging(new) { $1 })
        } else {
            items[position] = value
        }
        fields[name] = .array(items)
    }

    // Both change the value where it is (through `!`), not a copy written back: a customer profile
    // is a few hundred bytes, and a record sets a dozen of its fields.
    static func object<T: DefaultInitializable>(_ value: inout T?, _ change: (inout T) -> Void) {
        ensure(&value)
        change(&value!)
    }

    /// Makes `value` blank if it is absent, to be changed in place through `value!`.
    static func ensure<T: DefaultInitializable>(_ value: inout T?) {
        if case .none = value { value = T.blank }
    }

    /// The position of item `index` of the array, made as needed (`TargetPath.append` adds a new
    /// one at the end), to be changed in place through `array![position]`.
    static func slot<T: DefaultInitializable>(_ array: inout [T]?, _ index: Int) -> Int {
        if case .none = array { array = [] }
        let position = index == TargetPath.append ? array!.count : index
        while array!.count <= position { array!.append(T.blank) }
        return position
    }

    /// Item `index` of the array, made as needed; `TargetPath.append` adds a new one at the end.
    static func at<T: DefaultInitializable>(_ array: inout [T]?, _ index: Int, _ change: (inout T) -> Void) {
        let position = slot(&array, index)
        change(&array![position])
    }
}

extension Address {
    fileprivate mutating func set(_ v: __owned String, _ part: TargetField.AddressField) {
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
    fileprivate mutating func set(_ v: __owned String, _ part: TargetField.MemberField) {
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
