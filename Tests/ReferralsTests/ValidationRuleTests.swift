import Testing

@testable import Referrals
import Foundation

/// One test per rule family, table-driven; `ValidationTests.valid()` is the clean baseline.
@Suite struct ValidationRuleTests {
    typealias Edit = @Sendable (inout Referral) -> Void

    static func paths(_ edit: Edit, _ purpose: ValidationPurpose = .create) -> [String] {
        var referral = ValidationTests.valid()
        edit(&referral)
        return referral.validationIssues(for: purpose).map(\.path)
    }

    // MARK: server-assigned fields

    static let serverAssigned: [(String, Edit)] = [
        ("id", { $0.id = "1" }), ("eTag", { $0.eTag = "\"e\"" }), ("links", { $0.links = ReferralLinks() }),
        ("createdDateTime", { $0.createdDateTime = APIDateTime("2024-01-01T00:00:00Z") }),
        ("updatedDateTime", { $0.updatedDateTime = APIDateTime("2024-01-01T00:00:00Z") }),
        ("organizationId", { $0.organizationId = "o" }), ("organizationName", { $0.organizationName = "O" }),
        ("acceptedDateTime", { $0.acceptedDateTime = APIDateTime("2024-01-01T00:00:00Z") }),
        ("closedDateTime", { $0.closedDateTime = APIDateTime("2024-01-01T00:00:00Z") }),
        ("expirationDateTime", { $0.expirationDateTime = APIDateTime("2024-01-01T00:00:00Z") }),
    ]

    @Test(arguments: serverAssigned)
    func serverAssignedFieldIsRefusedOnCreate(path: String, edit: Edit) {
        #expect(Self.paths(edit) == [path])
        #expect(Self.paths(edit, .update(from: .new)).isEmpty)
        var referral = ValidationTests.valid()
        edit(&referral)
        #expect(referral.validationIssues(for: .create).first?.message == "is set by the server: leave it out of a create")
    }

    @Test func engagementIdIsOnlyForConnectedSharedReferrals() {
        #expect(Self.paths({ $0.engagementId = "e" }) == ["engagementId"])
        #expect(Self.paths({ $0.engagementId = "e" }, .update(from: .new)) == [])
        #expect(Self.paths({ $0.type = .shared; $0.target = [.microsoft]; $0.engagementId = "e" }) == [])
        #expect(Self.paths({ $0.type = .shared; $0.target = [.microsoft] }) == ["engagementId"])
        // The first referral of an engagement targets the partner's own solution: no engagementId yet.
        #expect(Self.paths({ $0.type = .shared; $0.target = [ReferralTarget(type: .solutionProfile, id: "SOL-1")] }) == [])
    }

    // MARK: enums

    static let enumFields: [(String, Edit)] = [
        ("type", { $0.type = "Joint" }), ("status", { $0.status = "Archived"; $0.substatus = nil }),
        ("substatus", { $0.substatus = "Frozen" }), ("qualification", { $0.qualification = "Hot" }),
        ("direction", { $0.direction = "Sideways" }), ("customerProfile.size", { $0.customerProfile?.size = "huge" }),
        ("customerProfile.ids[0].profileType", { $0.customerProfile?.ids = [CustomerProfileId(profileType: "Vat", id: "1")] }),
        ("details.requirements.solutions[0].type", { $0.details?.requirements?.solutions = [SolutionTag(id: "S", type: "Bundle")] }),
        ("target[0].type", { $0.target = [ReferralTarget(type: "Partner", id: "x")] }),
        ("inviteContext.assistanceRequestCode", { $0.inviteContext = InviteContext(assistanceRequestCode: "Help") }),
    ]

    @Test(arguments: enumFields)
    func undocumentedEnumValueIsReported(path: String, edit: Edit) {
        #expect(Self.paths(edit) == [path])
        #expect(Self.paths(edit, .update(from: .new)) == [path])
        var referral = ValidationTests.valid()
        edit(&referral)
        referral.id = "x"
        #expect(referral.validationIssues(for: .received).isEmpty, "the server's own values are never refused")
    }

    @Test func everyDocumentedEnumValuePasses() {
        for size in CustomerSize.documented { #expect(Self.paths({ $0.customerProfile?.size = size }) == []) }
        for code in AssistanceRequestCode.documented {
            #expect(Self.paths({ $0.inviteContext = InviteContext(assistanceRequestCode: code) }) == [])
        }
        for qualification in ReferralQualification.documented { #expect(Self.paths({ $0.qualification = qualification }) == []) }
        for direction in ReferralDirection.documented { #expect(Self.paths({ $0.direction = direction }) == []) }
        for type in SolutionType.documented {
            #expect(Self.paths({ $0.details?.requirements?.solutions = [SolutionTag(id: "S", type: type)] }) == [])
        }
        for kind in CustomerProfileIdType.documented {
            #expect(Self.paths({ $0.customerProfile?.ids = [CustomerProfileId(profileType: kind, id: "1")] }) == [])
        }
    }

    @Test func enumMessageSuggestsTheCasedValueAndListsTheRest() {
        var referral = ValidationTests.valid()
        referral.direction = "outgoing"
        #expect(referral.validationIssues().first?.message == "'outgoing' is not a documented value (did you mean Outgoing?): use one of Incoming, Outgoing")
    }

    // MARK: targets

    @Test(arguments: [
        (ReferralTarget(type: nil, id: "x"), ["target[0].type"]), (ReferralTarget(type: TargetType.none, id: "x"), ["target[0].type"]),
        (ReferralTarget(type: .solutionProfile, id: nil), ["target[0].id"]), (ReferralTarget(type: .solutionProfile, id: ""), ["target[0].id"]),
        (ReferralTarget(), ["target[0].type", "target[0].id"]), (ReferralTarget(type: .businessProfileLocation, id: "9f1c"), []),
    ])
    func targetsNeedADocumentedTypeAndAnId(target: ReferralTarget, expected: [String]) {
        #expect(Self.paths({ $0.target = [target] }) == expected)
    }

    // MARK: codes

    @Test(arguments: [
        ("US", nil), ("GB", nil), ("AX", nil), ("us", "'us' must be written in capitals: US"),
        ("UK", "'UK' is not an ISO 3166-1 alpha-2 country code: use e.g. US, DE, GB"),
        ("GBR", "'GBR' is not an ISO 3166-1 alpha-2 country code: use e.g. US, DE, GB"),
        ("XK", "'XK' is not an ISO 3166-1 alpha-2 country code: use e.g. US, DE, GB"),
    ] as [(String, String?)])
    func countryIsAnAssignedCodeInCapitals(country: String, message: String?) {
        var referral = ValidationTests.valid()
        referral.customerProfile?.address?.country = country
        #expect(referral.validationIssues().first?.message == message)
    }

    @Test func codeTablesAreComplete() {
        #expect(CountryCodes.all.count == 249)
        #expect(CountryCodes.normalized(" de ") == "DE")
        #expect(CountryCodes.normalized("Germany") == nil)
        #expect(CurrencyCodes.all.isSuperset(of: ["USD", "EUR", "GBP", "JPY", "CHF", "INR", "XCG", "ZWG"]))
        #expect(CurrencyCodes.normalized("usd") == "USD")
        #expect(!CurrencyCodes.isValid("XAU") && !CurrencyCodes.isValid("XTS"))
        #expect(CountryCodes.all.allSatisfy { $0.count == 2 && $0 == $0.uppercased() })
        #expect(CurrencyCodes.all.allSatisfy { $0.count == 3 && $0 == $0.uppercased() })
    }

    @Test(arguments: [
        ("USD", nil), ("eur", "'eur' must be written in capitals: EUR"), ("XYZ", "'XYZ' is not an ISO 4217 currency code: use e.g. USD, EUR"),
        ("US$", "'US$' is not an ISO 4217 currency code: use e.g. USD, EUR"), ("XAU", "'XAU' is not an ISO 4217 currency code: use e.g. USD, EUR"),
    ] as [(String, String?)])
    func currencyIsAnISOCodeInCapitals(currency: String, message: String?) {
        var referral = ValidationTests.valid()
        referral.details?.currency = currency
        #expect(referral.validationIssues().first?.message == message)
    }

    // MARK: money

    @Test(arguments: [
        (0.0, []), (50000.25, []), (1e12, []), (-0.01, ["details.dealValue"]), (1e12 + 1, ["details.dealValue"]),
        (.nan, ["details.dealValue"]), (.infinity, ["details.dealValue"]),
    ] as [(Double, [String])])
    func dealValueIsFiniteAndInRange(value: Double, expected: [String]) {
        #expect(Self.paths({ $0.details?.dealValue = value }) == expected)
    }

    @Test func dealValueNeedsACurrencyButNotTheOtherWayRound() {
        #expect(Self.paths({ $0.details?.currency = " " }) == ["details.currency"])
        #expect(Self.paths({ $0.details?.dealValue = nil }) == [])
    }

    // MARK: people

    @Test(arguments: [
        ("ann@fabrikam.example", true), ("a.b+tag@sub.example.co.uk", true), ("Zoë@bücher.example", true),
        ("ann", false), ("ann@", false), ("@fabrikam.example", false), ("ann@fabrikam", false), ("ann@@fabrikam.example", false),
        ("ann@fabrikam..example", false), ("ann@fabrikam.x", false), ("ann smith@fabrikam.example", false),
        ("ann@fabrikam.example;bob@fabrikam.example", false), ("ann@fabrikam.example,", false), ("\tann@fabrikam.example", false),
        ("ann@fabrikam.é", false), ("ann@fabrikam.日本", true), ("ann\u{00A0}lee@fabrikam.example", false), ("ann@fabrikam.example.", false),
        ("ann.lee@fabrikam.example", true),
    ])
    func emailSanity(email: String, plausible: Bool) {
        #expect(ReferralValidator.isPlausibleEmail(email) == plausible)
        #expect(Self.paths({ $0.team = [Member(email: email)] }) == (plausible ? [] : ["team[0].email"]))
    }

    @Test(arguments: [
        ("en-US", true), ("en-us", true), ("en", true), ("de-CH", true), ("zh-Hant-TW", true), ("es-419", true),
        ("English", false), ("en_US", false), ("e-US", false), ("en-", false), ("12-US", false), ("en-US-x-y", false),
    ])
    func localeShape(locale: String, valid: Bool) {
        #expect(ReferralValidator.isLocale(locale) == valid)
        let paths = Self.paths({ $0.customerProfile?.team = [Member(firstName: "A", contactPreference: ContactPreference(locale: locale))] })
        #expect(paths == (valid ? [] : ["customerProfile.team[0].contactPreference.locale"]))
    }

    @Test func idsAndTagsNeedTheirId() {
        #expect(Self.paths({ $0.customerProfile?.ids = [CustomerProfileId(profileType: .duns, id: "")] }) == ["customerProfile.ids[0].id"])
        #expect(Self.paths({ $0.details?.requirements = Requirements(industries: [Tag(id: "Education"), Tag()]) })
            == ["details.requirements.industries[1].id"])
        #expect(Self.paths({ $0.details?.requirements = Requirements(products: [Tag(id: " ")]) }) == ["details.requirements.products[0].id"])
        #expect(Self.paths({ $0.details?.requirements = Requirements(services: [Tag()]) }) == ["details.requirements.services[0].id"])
        #expect(Self.paths({ $0.details?.requirements = Requirements(solutions: [SolutionTag(name: "n")]) })
            == ["details.requirements.solutions[0].id"])
    }

    // MARK: limits

    /// Every length limit, reached through the referral at a concrete path.
    static let lengthSetters: [String: @Sendable (inout Referral, String) -> Void] = [
        "name": { $0.name = $1 }, "statusReason": { $0.statusReason = $1 }, "externalReferenceId": { $0.externalReferenceId = $1 },
        "customerProfile.name": { $0.customerProfile?.name = $1 },
        "customerProfile.address.addressLine1": { $0.customerProfile?.address?.addressLine1 = $1 },
        "customerProfile.address.addressLine2": { $0.customerProfile?.address?.addressLine2 = $1 },
        "customerProfile.address.city": { $0.customerProfile?.address?.city = $1 },
        "customerProfile.address.state": { $0.customerProfile?.address?.state = $1 },
        "customerProfile.address.region": { $0.customerProfile?.address?.region = $1 },
        "customerProfile.address.postalCode": { $0.customerProfile?.address?.postalCode = $1 },
        "customerProfile.team[].firstName": { $0.customerProfile?.team?[0].firstName = $1 },
        "customerProfile.team[].lastName": { $0.customerProfile?.team?[0].lastName = $1 },
        "customerProfile.team[].email": { $0.customerProfile?.team?[0].email = "a@" + $1.dropFirst(2) + ".example" },
        "customerProfile.team[].phoneNumber": { $0.customerProfile?.team?[0].phoneNumber = $1 },
        "customerProfile.team[].title": { $0.customerProfile?.team?[0].title = $1 },
        "team[].firstName": { $0.team = [Member(firstName: $1)] }, "team[].lastName": { $0.team = [Member(lastName: $1)] },
        "team[].email": { $0.team = [Member(email: "a@" + $1.dropFirst(2) + ".example")] },
        "team[].phoneNumber": { $0.team = [Member(phoneNumber: $1)] }, "team[].title": { $0.team = [Member(title: $1)] },
        "details.notes": { $0.details?.notes = $1 }, "inviteContext.notes": { $0.inviteContext = InviteContext(notes: $1) },
    ]

    @Test func everyLengthLimitIsEnforcedAtItsConcretePath() {
        #expect(Set(Self.lengthSetters.keys) == Set(ReferralLimits.lengths.keys), "a limit without a check, or a check without a limit")
        for (generic, set) in Self.lengthSetters {
            let limit = ReferralLimits.lengths[generic]!
            let concrete = generic.replacingOccurrences(of: "[]", with: "[0]")
            var atLimit = ValidationTests.valid()
            set(&atLimit, String(repeating: "x", count: limit - (generic.hasSuffix("email") ? 8 : 0)))
            #expect(atLimit.validationIssues().isEmpty, "\(generic) at its limit")
            var over = ValidationTests.valid()
            set(&over, String(repeating: "x", count: limit + 1 - (generic.hasSuffix("email") ? 8 : 0)))
            #expect(over.validationIssues().map(\.path) == [concrete], "\(generic) over its limit")
        }
    }

    @Test func lengthsCountUTF16UnitsAndTruncationKeepsCharactersWhole() {
        #expect(ReferralLimits.length(of: "🚀é") == 3)
        let name = String(repeating: "a", count: 299) + "🚀"
        #expect(Self.paths({ $0.name = name }) == ["name"])
        #expect(ReferralLimits.truncated(name, forPath: "name") == String(repeating: "a", count: 299))
        #expect(ReferralLimits.truncated("short", forPath: "name") == nil)
        #expect(ReferralLimits.truncated(String(repeating: "x", count: 5000), forPath: "details.dealValue") == nil)
        let notes = String(repeating: "e\u{301}", count: 1001)  // 2002 units, 1001 characters
        #expect(ReferralLimits.truncated(notes, forPath: "details.notes")?.utf16.count == 2000)
        #expect(ReferralLimits.maxLength(forPath: "customerProfile.team[12].email") == 100)
        #expect(ReferralLimits.maxLength(forPath: "customerProfile.address.country") == nil, "codes are never truncated")
        #expect(ReferralLimits.maxCount(forPath: "details.requirements.industries") == 20)
    }

    static let countSetters: [String: @Sendable (inout Referral, Int) -> Void] = [
        "customerProfile.team": { $0.customerProfile?.team = Array(repeating: Member(firstName: "A"), count: $1) },
        "team": { $0.team = Array(repeating: Member(firstName: "A"), count: $1) },
        "target": { $0.target = Array(repeating: ReferralTarget(type: .solutionProfile, id: "S"), count: $1) },
        "details.requirements.industries": { $0.details?.requirements?.industries = Array(repeating: Tag(id: "t"), count: $1) },
        "details.requirements.products": { $0.details?.requirements?.products = Array(repeating: Tag(id: "t"), count: $1) },
        "details.requirements.services": { $0.details?.requirements?.services = Array(repeating: Tag(id: "t"), count: $1) },
        "details.requirements.solutions": { $0.details?.requirements?.solutions = Array(repeating: SolutionTag(id: "s"), count: $1) },
    ]

    @Test func everyCountLimitIsEnforced() {
        #expect(Set(Self.countSetters.keys) == Set(ReferralLimits.counts.keys))
        for (path, set) in Self.countSetters {
            let limit = ReferralLimits.counts[path]!
            var atLimit = ValidationTests.valid()
            set(&atLimit, limit)
            #expect(atLimit.validationIssues().isEmpty, "\(path) at its limit")
            var over = ValidationTests.valid()
            set(&over, limit + 1)
            #expect(over.validationIssues().map(\.path) == [path], "\(path) over its limit")
        }
    }

    // MARK: received and all-at-once

    @Test func receivedReferralsNeedOnlyAnId() {
        #expect(Referral().validationIssues(for: .received).map(\.path) == ["id"])
        var odd = Referral(id: "x", status: "Archived", type: "Mystery")
        odd.name = String(repeating: "n", count: 5000)
        odd.details = ReferralDetails(dealValue: -5, currency: "usd")
        #expect(odd.validationIssues(for: .received).isEmpty)
    }

    @Test func everyProblemIsReportedInOnePass() {
        var referral = ValidationTests.valid()
        referral.id = "x"
        referral.type = "independent"
        referral.customerProfile?.name = nil
        referral.customerProfile?.address?.country = "usa"
        referral.customerProfile?.team?.append(Member(email: "bob(at)fabrikam"))
        referral.details?.requirements?.industries?.append(Tag())
        referral.details?.currency = "€"
        referral.substatus = .won
        #expect(referral.validationIssues().map(\.path) == [
            "id", "customerProfile.name", "type", "substatus", "customerProfile.address.country",
            "customerProfile.team[1].email", "details.currency", "details.requirements.industries[1].id",
        ])
        #expect(referral.validationIssues().allSatisfy { $0.message.contains(":") }, "every message says what to do")
    }
}
