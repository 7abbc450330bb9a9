/// The contract's rules for a referral (partner-api.md §1–§3), plus refbridge's own limits
/// (`ReferralLimits`). Every rule adds an issue and goes on, so one pass reports everything.
struct ReferralValidator {
    var purpose: ValidationPurpose
    private(set) var issues: [ValidationIssue] = []

    init(purpose: ValidationPurpose) { self.purpose = purpose }

    private var checksContent: Bool {
        if case .received = purpose { return false }
        return true
    }

    func issues(of referral: Referral) -> [ValidationIssue] {
        var validator = self
        validator.check(referral)
        return validator.issues
    }

    private mutating func add(_ path: String, _ message: String) {
        issues.append(ValidationIssue(path: path, message: message))
    }

    private mutating func check(_ referral: Referral) {
        if case .create = purpose { checkCreateOnly(referral) }
        if checksContent { checkRequired(referral) }
        checkEnums(referral)
        if checksContent {
            checkStatus(referral)
            checkShared(referral)
            checkContent(referral)
        }
    }

    // MARK: required and server-assigned fields

    private mutating func checkRequired(_ referral: Referral) {
        // The four objects the create page marks required.
        if referral.type == nil { add("type", "is required: set Independent or Shared") }
        if referral.consent == nil {
            add("consent", "is required: state the customer's consent explicitly (consentToToShareInfoWithOthers, consentToContact)")
        }
        if referral.details == nil { add("details", "is required: add at least details.notes or details.dealValue") }
        guard let profile = referral.customerProfile else {
            add("customerProfile", "is required: the customer's name and address")
            return
        }
        // A referral names a customer organisation and where it is; Partner Center matches on both.
        if profile.name?.isBlank ?? true { add("customerProfile.name", "is required: the customer organisation's name") }
        if let address = profile.address {
            if address.country?.isBlank ?? true {
                add("customerProfile.address.country", "is required: a two-letter ISO 3166 code such as US")
            }
        } else {
            add("customerProfile.address", "is required: at least the country (ISO 3166 alpha-2, e.g. US)")
        }
        // Consent is never assumed: both documented flags must be given, true or false.
        if let consent = referral.consent {
            if consent.consentToToShareInfoWithOthers == nil {
                add("consent.consentToToShareInfoWithOthers", "is required: true or false, as the customer agreed")
            }
            if consent.consentToContact == nil {
                add("consent.consentToContact", "is required: true or false, as the customer agreed")
            }
        }
    }

    private mutating func checkCreateOnly(_ referral: Referral) {
        let assigned: [(String, Bool)] = [
            ("id", referral.id != nil), ("eTag", referral.eTag != nil), ("links", referral.links != nil),
            ("createdDateTime", referral.createdDateTime != nil), ("updatedDateTime", referral.updatedDateTime != nil),
            ("organizationId", referral.organizationId != nil), ("organizationName", referral.organizationName != nil),
            ("acceptedDateTime", referral.acceptedDateTime != nil), ("closedDateTime", referral.closedDateTime != nil),
            ("expirationDateTime", referral.expirationDateTime != nil),
        ]
        for (path, present) in assigned where present {
            add(path, "is set by the server: leave it out of a create")
        }
    }

    // MARK: enums

    private mutating func checkEnums(_ referral: Referral) {
        guard checksContent else { return }
        enumValue(referral.type, "type")
        enumValue(referral.status, "status")
        enumValue(referral.substatus, "substatus")
        enumValue(referral.qualification, "qualification")
        enumValue(referral.direction, "direction")
        enumValue(referral.customerProfile?.size, "customerProfile.size")
        for (index, id) in (referral.customerProfile?.ids ?? []).enumerated() {
            enumValue(id.profileType, "customerProfile.ids[\(index)].profileType")
        }
        for (index, solution) in (referral.details?.requirements?.solutions ?? []).enumerated() {
            enumValue(solution.type, "details.requirements.solutions[\(index)].type")
        }
        for (index, target) in (referral.target ?? []).enumerated() {
            enumValue(target.type, "target[\(index)].type")
        }
        enumValue(referral.inviteContext?.assistanceRequestCode, "inviteContext.assistanceRequestCode")
    }

    private mutating func enumValue<Value: OpenStringEnum>(_ value: Value?, _ path: String) {
        guard let value, !value.isDocumented else { return }
        let hint = Value.documented(matching: value.rawValue).map { " (did you mean \($0)?)" } ?? ""
        add(path, "'\(value.rawValue)' is not a documented value\(hint): use one of \(Value.documented.map(\.rawValue).joined(separator: ", "))")
    }

    // MARK: status

    private mutating func checkStatus(_ referral: Referral) {
        if let status = referral.status, status.isDocumented {
            if status == .none { add("status", "None is not a status a referral can be given: use New, Active or Closed") }
            if let substatus = referral.substatus, substatus.isDocumented, status != .none,
                !StatusRules.isAllowed(status: status, substatus: substatus)
            {
                let allowed = StatusRules.substatuses(for: status).map(\.rawValue).joined(separator: " or ")
                add("substatus", "\(substatus) does not go with status \(status): use \(allowed)")
            }
        } else if referral.substatus != nil, referral.status == nil {
            // A substatus only has meaning under its status (§3.1).
            add("status", "is required when substatus is set: e.g. New with Pending")
        }
        if case .update(let from?) = purpose, let to = referral.status {
            if from == .closed {
                add("status", "the referral is Closed: Closed referrals cannot be changed")
            } else if from.isDocumented, to.isDocumented, !StatusRules.canTransition(from: from, to: to) {
                add("status", "cannot move from \(from) to \(to): \(from) may become \(Self.nextStatuses(from))")
            }
        }
    }

    private static func nextStatuses(_ from: ReferralStatus) -> String {
        ReferralStatus.documented.filter { StatusRules.canTransition(from: from, to: $0) }.map(\.rawValue).joined(separator: ", ")
    }

    // MARK: shared engagements

    private mutating func checkShared(_ referral: Referral) {
        for (index, target) in (referral.target ?? []).enumerated() {
            if target.type == nil { add("target[\(index)].type", "is required: SolutionProfile or BusinessProfileLocation") }
            if target.id?.isBlank ?? true { add("target[\(index)].id", "is required: a solution id, a location id, or msft") }
        }
        guard referral.type == .shared else { return }
        // §3.2: a shared referral says whom it is shared with.
        if referral.target?.isEmpty ?? true {
            add("target", "is required for a Shared referral: your solution profile ({type: SolutionProfile, id: …}), or {type: BusinessProfileLocation, id: msft} for the connected referral")
        }
        let targetsMicrosoft = referral.target?.contains { $0.type == .businessProfileLocation && $0.id == "msft" } ?? false
        if targetsMicrosoft, referral.engagementId?.isBlank ?? true, case .create = purpose {
            add("engagementId", "is required for the connected referral to Microsoft: the engagementId of the Shared referral created first")
        }
    }

    // MARK: values

    private mutating func checkContent(_ referral: Referral) {
        length(referral.name, "name")
        length(referral.statusReason, "statusReason")
        length(referral.externalReferenceId, "externalReferenceId")
        if let profile = referral.customerProfile {
            length(profile.name, "customerProfile.name")
            if let address = profile.address {
                length(address.addressLine1, "customerProfile.address.addressLine1")
                length(address.addressLine2, "customerProfile.address.addressLine2")
                length(address.city, "customerProfile.address.city")
                length(address.state, "customerProfile.address.state")
                length(address.region, "customerProfile.address.region")
                length(address.postalCode, "customerProfile.address.postalCode")
                if let country = address.country, !country.isBlank, !CodeLists.countries.contains(country.uppercased()) {
                    add("customerProfile.address.country", "'\(country)' is not an ISO 3166 alpha-2 country code: use e.g. US, DE, GB")
                }
            }
            members(profile.team, "customerProfile.team")
            for (index, id) in (profile.ids ?? []).enumerated() where id.id?.isBlank ?? true {
                add("customerProfile.ids[\(index)].id", "is required: the DUNS number or your external id")
            }
        }
        members(referral.team, "team")
        if let details = referral.details {
            length(details.notes, "details.notes")
            if let value = details.dealValue {
                if !value.isFinite || value < 0 {
                    add("details.dealValue", "must be a number of 0 or more")
                } else if value > ReferralLimits.maxDealValue {
                    add("details.dealValue", "is above 1,000,000,000,000: check the source value")
                }
                // A value without its currency cannot be read by the other side.
                if details.currency?.isBlank ?? true {
                    add("details.currency", "is required with details.dealValue: an ISO 4217 code such as USD")
                }
            }
            if let currency = details.currency, !currency.isBlank, !CodeLists.currencies.contains(currency) {
                let hint = CodeLists.currencies.contains(currency.uppercased()) ? ": write it in capitals, \(currency.uppercased())" : ": use e.g. USD, EUR"
                add("details.currency", "'\(currency)' is not an ISO 4217 currency code\(hint)")
            }
            if let requirements = details.requirements {
                tags(requirements.industries, "details.requirements.industries")
                tags(requirements.products, "details.requirements.products")
                tags(requirements.services, "details.requirements.services")
                count(requirements.solutions?.count, "details.requirements.solutions")
                for (index, solution) in (requirements.solutions ?? []).enumerated() where solution.id?.isBlank ?? true {
                    add("details.requirements.solutions[\(index)].id", "is required: the solution's id")
                }
            }
        }
        count(referral.target?.count, "target")
        length(referral.inviteContext?.notes, "inviteContext.notes")
    }

    private mutating func members(_ members: [Member]?, _ path: String) {
        guard let members else { return }
        count(members.count, path)
        for (index, member) in members.enumerated() {
            let base = "\(path)[\(index)]"
            length(member.firstName, base + ".firstName")
            length(member.lastName, base + ".lastName")
            length(member.phoneNumber, base + ".phoneNumber")
            length(member.title, base + ".title")
            length(member.email, base + ".email")
            if let email = member.email, !email.isBlank, !Self.isPlausibleEmail(email) {
                add(base + ".email", "'\(email)' is not an e-mail address: expected name@domain.tld")
            }
            if let locale = member.contactPreference?.locale, !Self.isLocale(locale) {
                add(base + ".contactPreference.locale", "'\(locale)' is not a culture name: use e.g. en-US")
            }
        }
    }

    private mutating func tags(_ tags: [Tag]?, _ path: String) {
        guard let tags else { return }
        count(tags.count, path)
        for (index, tag) in tags.enumerated() where tag.id?.isBlank ?? true {
            add("\(path)[\(index)].id", "is required: the tag's id, e.g. Manufacturing")
        }
    }

    private mutating func length(_ value: String?, _ path: String) {
        guard let value, let limit = ReferralLimits.maxLength(forPath: path), value.count > limit else { return }
        add(path, "is \(value.count) characters long; the limit is \(limit): shorten it or map it with `truncate`")
    }

    private mutating func count(_ value: Int?, _ path: String) {
        guard let value, let limit = ReferralLimits.counts[path], value > limit else { return }
        add(path, "has \(value) items; the limit is \(limit)")
    }

    /// One `@`, a non-empty local part, a dotted domain, no spaces: catches the usual export slips
    /// (names in the e-mail column, missing domains) without pretending to implement RFC 5322.
    static func isPlausibleEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "," || $0 == ";" }) else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty } && (labels.last?.count ?? 0) >= 2
    }

    /// `en`, `en-US`, `en-us`, `zh-Hant-TW`: letters in dash-separated parts.
    static func isLocale(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), (2...3).contains(parts[0].count) else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.count <= 8 && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }
}

extension String {
    var isBlank: Bool { allSatisfy(\.isWhitespace) }
}
