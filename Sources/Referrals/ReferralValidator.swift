/// The contract's rules for a referral (partner-api.md §1–§3), plus refbridge's own limits
/// (`ReferralLimits`). Every rule adds an issue and goes on, so one pass reports everything.
///
/// What each purpose checks:
/// - `.create`: everything below, plus "server-assigned fields absent".
/// - `.update(from:)`: everything below, plus the §3.1 transition from the stored status.
///
/// Each issue names its `ValidationRule`: the documented ones (`.error`) are what the service
/// refuses and the sandbox answers 400 for; the rest are refbridge's (`.warning`, with a reason),
/// which a mapping's `strict:` can make errors. docs/api-contract.md lists every rule and its source.
/// - `.received`: shape only (an `id`); a server answer is the truth refbridge records, whatever
///   enum values or lengths it carries.
struct ReferralValidator {
    var purpose: ValidationPurpose
    private(set) var issues: [ValidationIssue] = []

    init(purpose: ValidationPurpose) { self.purpose = purpose }

    private var isCreate: Bool {
        if case .create = purpose { return true }
        return false
    }

    func issues(of referral: Referral) -> [ValidationIssue] {
        var validator = self
        validator.check(referral)
        return validator.issues
    }

    private mutating func add(_ path: String, _ message: String, _ rule: ValidationRule) {
        issues.append(ValidationIssue(path: path, message: message, rule: rule))
    }

    private mutating func check(_ referral: Referral) {
        if case .received = purpose {
            checkReceived(referral)
            return
        }
        if isCreate { checkServerAssigned(referral) }
        checkRequired(referral)
        checkEnums(referral)
        checkStatus(referral)
        checkShared(referral)
        checkContent(referral)
    }

    // MARK: received

    private mutating func checkReceived(_ referral: Referral) {
        // Why: the ledger links a record to its referral by id; an answer without one cannot be recorded.
        if referral.id?.isBlank ?? true { add("id", "is missing from the server's answer: the referral cannot be recorded without it", .required) }
    }

    // MARK: required and server-assigned fields

    private mutating func checkRequired(_ referral: Referral) {
        // Why: the create page marks these four required (§2.3); a PUT sends the whole referral again.
        // `case .none`, not `== nil`: the compiler took `==` of two optionals there, copying the
        // whole details object (every string retained) to compare it with nothing, for every record.
        if case .none = referral.type { add("type", "is required: set Independent or Shared", .required) }
        if case .none = referral.consent {
            add("consent", "is required: state the customer's consent explicitly (consentToToShareInfoWithOthers, consentToContact)", .required)
        }
        if case .none = referral.details { add("details", "is required: an object with the deal's notes, dealValue and currency", .required) }
        guard let profile = referral.customerProfile else {
            add("customerProfile", "is required: at least the customer's name and address.country", .required)
            return
        }
        // Why: a referral is about a named customer organisation (§1.3); Partner Center shows and matches on it.
        if profile.name?.isBlank ?? true { add("customerProfile.name", "is required: the customer organisation's name", .customerName) }
        // Why: country is the one address part the API filters on (§2.1) and every real example carries.
        if let address = profile.address {
            if address.country?.isBlank ?? true {
                add("customerProfile.address.country", "is required: a two-letter ISO 3166 code such as US", .customerAddress)
            }
        } else {
            add("customerProfile.address", "is required: at least the country (ISO 3166 alpha-2, e.g. US)", .customerAddress)
        }
        // Why: consent is a statement by the customer; an absent flag would be a default nobody chose,
        // so the two flags every documented request carries must be given, true or false.
        if let consent = referral.consent {
            if consent.consentToToShareInfoWithOthers == nil {
                add("consent.consentToToShareInfoWithOthers", "is required: true or false, as the customer agreed", .consentFlags)
            }
            if consent.consentToContact == nil {
                add("consent.consentToContact", "is required: true or false, as the customer agreed", .consentFlags)
            }
        }
    }

    private mutating func checkServerAssigned(_ referral: Referral) {
        // Why: §2.3 says to leave out what the server sets (the fields §1.1 marks RO). `engagementId`
        // is allowed: it links a connected referral to its Shared engagement (§3.2).
        // Checked one by one, not through a list: this runs for every record a preview maps.
        func absent(_ present: Bool, _ path: String) {
            if present { add(path, "is set by the server: leave it out of a create", .serverSetFields) }
        }
        absent(referral.id != nil, "id")
        absent(referral.eTag != nil, "eTag")
        absent(referral.links != nil, "links")
        absent(referral.createdDateTime != nil, "createdDateTime")
        absent(referral.updatedDateTime != nil, "updatedDateTime")
        absent(referral.organizationId != nil, "organizationId")
        absent(referral.organizationName != nil, "organizationName")
        absent(referral.acceptedDateTime != nil, "acceptedDateTime")
        absent(referral.closedDateTime != nil, "closedDateTime")
        absent(referral.expirationDateTime != nil, "expirationDateTime")
    }

    // MARK: enums

    /// Why: the API answers 400 for values it does not know; for `.received` these are never checked.
    private mutating func checkEnums(_ referral: Referral) {
        enumValue(referral.type, "type", documented: true)
        enumValue(referral.status, "status", documented: true)
        enumValue(referral.substatus, "substatus", documented: true)
        enumValue(referral.qualification, "qualification", documented: true)
        enumValue(referral.direction, "direction")
        enumValue(referral.customerProfile?.size, "customerProfile.size")
        for (index, id) in (referral.customerProfile?.ids ?? []).enumerated() {
            enumValue(id.profileType, "customerProfile.ids[\(index)].profileType")
        }
        for (index, solution) in (referral.details?.requirements?.solutions ?? []).enumerated() {
            enumValue(solution.type, "details.requirements.solutions[\(index)].type", documented: true)
        }
        for (index, target) in (referral.target ?? []).enumerated() {
            enumValue(target.type, "target[\(index)].type", documented: true)
        }
        enumValue(referral.inviteContext?.assistanceRequestCode, "inviteContext.assistanceRequestCode")
    }

    /// `documented`: an enum of Referral resources ([A]), whose other values the service refuses
    /// (an error); otherwise an enum known only from the connector or real data (a warning: real
    /// answers carry `"size": ""`).
    private mutating func enumValue<Value: OpenStringEnum>(_ value: Value?, _ path: String, documented: Bool = false) {
        guard let value, !value.isDocumented else { return }
        let hint = Value.documented(matching: value.rawValue).map { " (did you mean \($0)?)" } ?? ""
        add(path, "'\(value.rawValue)' is not a documented value\(hint): use one of \(Value.documented.map(\.rawValue).joined(separator: ", "))",
            documented ? .documentedEnum : .undocumentedEnum)
    }

    // MARK: status

    private mutating func checkStatus(_ referral: Referral) {
        // A Closed referral may be updated as long as it stays Closed with Won, Lost, Declined or
        // Expired: the status table's row Closed → Closed (§3.1). Nothing documents more.
        let status = referral.status
        let substatus = referral.substatus
        if let status, status.isDocumented {
            // Why: None is an enum member but has no row in the §3.1 table and no allowed substatus.
            if status == .none { add("status", "None is not a status a referral can be given: use New, Active or Closed", .statusNone) }
            if let substatus, substatus.isDocumented, status != .none, !StatusRules.isAllowed(status: status, substatus: substatus) {
                add("substatus", "\(substatus) does not go with status \(status): use \(Self.allowedSubstatuses(status))", .statusTable)
            }
            // Why: on create the server sets the starting status itself (the documented create sends
            // New/Pending and gets Active/Accepted back), so a status alone is fine there. An update
            // moves the pair together (§2.5 patches /status and /substatus); a status without its
            // substatus would leave the stored substatus behind, e.g. Closed/Accepted.
            if substatus == nil, !isCreate, status != .none {
                add("substatus", "is required with status \(status): use \(Self.allowedSubstatuses(status))", .substatusWithStatus)
            }
        } else if substatus != nil, status == nil {
            // Why: a substatus only has meaning under its status (§3.1).
            add("status", "is required when substatus is set: e.g. New with Pending", .statusTable)
        }
        if case .update(let from?) = purpose, let to = status,
            from.isDocumented, to.isDocumented, !StatusRules.canTransition(from: from, to: to)
        {
            add("status", "cannot move from \(from) to \(to): \(from) may become \(Self.nextStatuses(from))", .statusTable)
        }
    }

    private static func allowedSubstatuses(_ status: ReferralStatus) -> String {
        StatusRules.substatuses(for: status).map(\.rawValue).joined(separator: " or ")
    }

    private static func nextStatuses(_ from: ReferralStatus) -> String {
        let next = ReferralStatus.documented.filter { StatusRules.canTransition(from: from, to: $0) }.map(\.rawValue)
        return next.isEmpty ? "nothing (it is not in the contract's table)" : next.joined(separator: ", ")
    }

    // MARK: shared engagements

    private mutating func checkShared(_ referral: Referral) {
        for (index, target) in (referral.target ?? []).enumerated() {
            // Why: a target names whom the referral is shared with (§1.8, §3.2); None names nobody.
            if target.type == nil {
                add("target[\(index)].type", "is required: SolutionProfile or BusinessProfileLocation", .targetShape)
            } else if target.type == TargetType.none {
                add("target[\(index)].type", "None names no one to share with: use SolutionProfile or BusinessProfileLocation", .targetShape)
            }
            if target.id?.isBlank ?? true { add("target[\(index)].id", "is required: a solution id, a location id, or msft", .targetShape) }
        }
        if referral.type == .shared {
            // Why: §3.2: a shared referral says whom it is shared with.
            if referral.target?.isEmpty ?? true {
                add("target", "is required for a Shared referral: your solution profile ({type: SolutionProfile, id: …}), or {type: BusinessProfileLocation, id: msft} for the connected referral", .sharedTarget)
            }
            let targetsMicrosoft = referral.target?.contains { $0.type == .businessProfileLocation && $0.id == "msft" } ?? false
            // Why: §3.2 step 2: the connected referral to Microsoft joins the engagement created first.
            if isCreate, targetsMicrosoft, referral.engagementId?.isBlank ?? true {
                add("engagementId", "is required for the connected referral to Microsoft: the engagementId of the Shared referral created first", .connectedEngagement)
            }
        } else if isCreate, let engagementId = referral.engagementId, referral.type != nil {
            // Why: §2.3: a create leaves engagementId out unless it links a connected referral, and
            // only Shared referrals have one (§3.2).
            add("engagementId", "'\(engagementId)' links a connected referral of a Shared engagement: set type Shared, or leave engagementId out", .connectedEngagement)
        }
    }

    // MARK: values

    private mutating func checkContent(_ referral: Referral) {
        length(referral.name, limit: Limit.name, "name")
        length(referral.statusReason, limit: Limit.statusReason, "statusReason")
        length(referral.externalReferenceId, limit: Limit.externalReferenceId, "externalReferenceId")
        if let profile = referral.customerProfile {
            length(profile.name, limit: Limit.customerProfileName, "customerProfile.name")
            if let address = profile.address {
                length(address.addressLine1, limit: Limit.addressAddressLine1, "customerProfile.address.addressLine1")
                length(address.addressLine2, limit: Limit.addressAddressLine2, "customerProfile.address.addressLine2")
                length(address.city, limit: Limit.addressCity, "customerProfile.address.city")
                length(address.state, limit: Limit.addressState, "customerProfile.address.state")
                length(address.region, limit: Limit.addressRegion, "customerProfile.address.region")
                length(address.postalCode, limit: Limit.addressPostalCode, "customerProfile.address.postalCode")
                // Why: the API wants ISO 3166-1 alpha-2 (§1.4 [C]) and filters on it in capitals.
                if let country = address.country, !country.isBlank, !CountryCodes.isValid(country) {
                    let message = CountryCodes.normalized(country).map { "'\(country)' must be written in capitals: \($0)" }
                        ?? "'\(country)' is not an ISO 3166-1 alpha-2 country code: use e.g. US, DE, GB"
                    add("customerProfile.address.country", message, .countryCode)
                }
            }
            members(profile.team, "customerProfile.team")
            // Why: an id entry without its value identifies nothing (§1.3).
            for (index, id) in (profile.ids ?? []).enumerated() where id.id?.isBlank ?? true {
                add("customerProfile.ids[\(index)].id", "is required: the DUNS number or your external id", .customerIdValue)
            }
        }
        members(referral.team, "team")
        if let details = referral.details { checkDetails(details) }
        count(referral.target?.count, limit: Limit.targetCount, "target")
        length(referral.inviteContext?.notes, limit: Limit.inviteContextNotes, "inviteContext.notes")
    }

    private mutating func checkDetails(_ details: ReferralDetails) {
        length(details.notes, limit: Limit.detailsNotes, "details.notes")
        if let value = details.dealValue {
            // Why: a deal value is money (§1.8): finite, not negative, within Dataverse's money range.
            if !value.isFinite || value < 0 {
                add("details.dealValue", "must be a number of 0 or more", .dealValueRange)
            } else if value > ReferralLimits.maxDealValue {
                add("details.dealValue", "is above 1,000,000,000,000: check the source value", .dealValueRange)
            }
            // Why: an amount without its currency cannot be read by the other side.
            if details.currency?.isBlank ?? true {
                add("details.currency", "is required with details.dealValue: an ISO 4217 code such as USD", .currencyWithDealValue)
            }
        }
        // Why: §1.8 names ISO 4217, whose codes are capitals.
        if let currency = details.currency, !currency.isBlank, !CurrencyCodes.isValid(currency) {
            let message = CurrencyCodes.normalized(currency).map { "'\(currency)' must be written in capitals: \($0)" }
                ?? "'\(currency)' is not an ISO 4217 currency code: use e.g. USD, EUR"
            add("details.currency", message, .currencyCode)
        }
        // closingDateTime needs no check here: an `APIDateTime` exists only once its text has parsed.
        guard let requirements = details.requirements else { return }
        tags(requirements.industries, "details.requirements.industries", limit: Limit.industriesCount)
        tags(requirements.products, "details.requirements.products", limit: Limit.productsCount)
        tags(requirements.services, "details.requirements.services", limit: Limit.servicesCount)
        count(requirements.solutions?.count, limit: Limit.solutionsCount, "details.requirements.solutions")
        for (index, solution) in (requirements.solutions ?? []).enumerated() where solution.id?.isBlank ?? true {
            add("details.requirements.solutions[\(index)].id", "is required: the solution's id", .tagId)
        }
    }

    private mutating func members(_ members: [Member]?, _ path: String) {
        guard let members else { return }
        let limits = path == "team" ? MemberLimits.team : MemberLimits.customerTeam
        count(members.count, limit: limits.count, path)
        // Through the buffer, as the JSON writer reads them (see there): each member is still
        // copied once for the call, but `enumerated()` cost more.
        members.withUnsafeBufferPointer { members in
            for index in members.indices { check(members[index], index: index, path, limits) }
        }
    }

    private mutating func check(_ member: borrowing Member, index: Int, _ path: String, _ limits: MemberLimits) {
        // Paths are spelled out only for an issue: this loop runs for every record of a preview.
        func at(_ field: String) -> String { "\(path)[\(index)].\(field)" }
        length(member.firstName, limit: limits.firstName, at("firstName"))
        length(member.lastName, limit: limits.lastName, at("lastName"))
        length(member.phoneNumber, limit: limits.phoneNumber, at("phoneNumber"))
        length(member.title, limit: limits.title, at("title"))
        length(member.email, limit: limits.email, at("email"))
        // Why: Partner Center mails these people (§1.5 disableNotifications); a broken address is lost.
        if let email = member.email, !email.isBlank, !Self.isPlausibleEmail(email) {
            add(at("email"), "'\(email)' is not an e-mail address: expected name@domain.tld, one address, no spaces", .email)
        }
        // Why: §1.5 documents a .NET culture name.
        if let locale = member.contactPreference?.locale, !Self.isLocale(locale) {
            add(at("contactPreference.locale"), "'\(locale)' is not a culture name: use e.g. en-US", .locale)
        }
    }

    private mutating func tags(_ tags: [Tag]?, _ path: String, limit: Int?) {
        guard let tags else { return }
        count(tags.count, limit: limit, path)
        // Why: a tag is nothing but its id (§1.8).
        for (index, tag) in tags.enumerated() where tag.id?.isBlank ?? true {
            add("\(path)[\(index)].id", "is required: the tag's id, e.g. Manufacturing", .tagId)
        }
    }

    /// Length limits of fixed paths, looked up once rather than per record.
    private enum Limit {
        static let name = ReferralLimits.lengths["name"]
        static let statusReason = ReferralLimits.lengths["statusReason"]
        static let externalReferenceId = ReferralLimits.lengths["externalReferenceId"]
        static let customerProfileName = ReferralLimits.lengths["customerProfile.name"]
        static let addressAddressLine1 = ReferralLimits.lengths["customerProfile.address.addressLine1"]
        static let addressAddressLine2 = ReferralLimits.lengths["customerProfile.address.addressLine2"]
        static let addressCity = ReferralLimits.lengths["customerProfile.address.city"]
        static let addressState = ReferralLimits.lengths["customerProfile.address.state"]
        static let addressRegion = ReferralLimits.lengths["customerProfile.address.region"]
        static let addressPostalCode = ReferralLimits.lengths["customerProfile.address.postalCode"]
        static let inviteContextNotes = ReferralLimits.lengths["inviteContext.notes"]
        static let detailsNotes = ReferralLimits.lengths["details.notes"]
        static let targetCount = ReferralLimits.counts["target"]
        static let solutionsCount = ReferralLimits.counts["details.requirements.solutions"]
        static let industriesCount = ReferralLimits.counts["details.requirements.industries"]
        static let productsCount = ReferralLimits.counts["details.requirements.products"]
        static let servicesCount = ReferralLimits.counts["details.requirements.services"]
    }

    /// The limits of a member's fields, looked up once rather than per record.
    private struct MemberLimits {
        let firstName, lastName, phoneNumber, title, email: Int?
        /// Of the array itself.
        let count: Int?

        init(_ prefix: String) {
            count = ReferralLimits.counts[String(prefix.dropLast(3))]
            firstName = ReferralLimits.lengths[prefix + "firstName"]
            lastName = ReferralLimits.lengths[prefix + "lastName"]
            phoneNumber = ReferralLimits.lengths[prefix + "phoneNumber"]
            title = ReferralLimits.lengths[prefix + "title"]
            email = ReferralLimits.lengths[prefix + "email"]
        }

        static let team = MemberLimits("team[].")
        static let customerTeam = MemberLimits("customerProfile.team[].")
    }

    /// `path` is the concrete path, built only for an issue.
    private mutating func length(_ value: String?, limit: Int?, _ path: @autoclosure () -> String) {
        guard let value, let limit, ReferralLimits.exceeds(value, limit) else { return }
        add(path(), "is \(ReferralLimits.length(of: value)) characters long; the limit is \(limit): shorten it or map it with `truncate`", .length)
    }

    /// `limit` is `ReferralLimits.maxCount(forPath: path)`, looked up once (see `Limit`).
    private mutating func count(_ value: Int?, limit: Int?, _ path: String) {
        guard let value, let limit, value > limit else { return }
        add(path, "has \(value) items; the limit is \(limit): check that the mapping does not gather several records' items", .count)
    }

    /// One `@`, a non-empty local part, a dotted domain with non-empty labels and a 2+ letter last
    /// label, no whitespace or list separators: catches the usual export slips (names in the e-mail
    /// column, missing domains, two addresses in one cell) without pretending to implement RFC 5322.
    static func isPlausibleEmail(_ text: String) -> Bool {
        // The string's own bytes, not its iterator or its Characters: this runs for every contact
        // of every record.
        text.withUTF8Bytes { isPlausibleEmail(text, bytes: $0) }
    }

    /// A non-ASCII byte is part of a letter (UTF-8), except the few Unicode spaces checked on the
    /// slow path, which reads `text`.
    private static func isPlausibleEmail(_ text: String, bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var ats = 0
        var localLength = 0
        var labelLength = 0
        var labels = 0
        var emptyLabel = false
        var ascii = true
        for byte in bytes {
            switch byte {
            case 32, 9, 10, 11, 12, 13, UInt8(ascii: ","), UInt8(ascii: ";"): return false
            case UInt8(ascii: "@"):
                ats += 1
                labels = 1
                labelLength = 0
            case UInt8(ascii: ".") where ats == 1:
                if labelLength == 0 { emptyLabel = true }
                labels += 1
                labelLength = 0
            default:
                if byte >= 0x80 { ascii = false }
                if ats == 0 { localLength += 1 } else { labelLength += 1 }
            }
        }
        if !ascii, text.unicodeScalars.contains(where: \.properties.isWhitespace) { return false }
        guard ats == 1, localLength > 0, labels >= 2, !emptyLabel else { return false }
        if ascii { return labelLength >= 2 }
        return (text.split(separator: ".", omittingEmptySubsequences: false).last?.count ?? 0) >= 2
    }

    /// `en`, `en-US`, `en-us`, `zh-Hant-TW`: a 2–3 letter language, then up to two alphanumeric parts.
    static func isLocale(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), (2...3).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCII && $0.isLetter })
        else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.count <= 8 && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }
}

extension String {
    var isBlank: Bool {
        // ASCII fast path: most values start with a letter or digit.
        if let first = utf8.first, first < 0x80, first > 32 { return false }
        return allSatisfy(\.isWhitespace)
    }
}
