import Referrals

/// A referral with every field the model names set, odd text included: the JSON tests' fixture.
enum RichReferral {
    static func make() -> Referral {
        let member = Member(
            firstName: "Zoë", lastName: "O\"Neil\\", phoneNumber: "+44 113 496 0000", email: "zoe@fabrikam.example",
            title: "CTO / CIO", contactPreference: ContactPreference(locale: "en-GB", disableNotifications: false))
        return Referral(
            id: "9b9c3c0e-0000-4000-8000-000000000001", engagementId: "e0000000-0000-4000-8000-000000000002",
            name: "Line one\nline two\ttabbed \u{1}ctrl 🚀", organizationId: "org-1", organizationName: "Contoso Partner",
            externalReferenceId: "crm/lead/42", createdDateTime: APIDateTime("2019-02-23T02:05:23.2931817Z"),
            updatedDateTime: APIDateTime("2019-02-23T02:05:24Z"), expirationDateTime: APIDateTime("2019-03-09T00:00:00+01:00"),
            closedDateTime: nil, acceptedDateTime: APIDateTime("2019-02-23T02:05:23.5Z"), status: .new, substatus: .pending,
            statusReason: "", type: .shared, qualification: .salesQualified, direction: .outgoing,
            customerProfile: CustomerProfile(
                name: "Fabrikam & Söhne GmbH",
                address: Address(
                    addressLine1: "Königsallee 1", addressLine2: "c/o Floor 3", city: "Düsseldorf", state: nil,
                    postalCode: "40212", country: "DE", region: "NRW"),
                size: "51to250employees", team: [member, Member(firstName: "Bo", email: "bo@fabrikam.example")],
                ids: [CustomerProfileId(profileType: .duns, id: "123456789")], isMatchingComplete: true),
            consent: Consent(
                consentToToShareInfoWithOthers: true, consentToContact: false,
                consentToShareReferralWithMicrosoftSellers: true, consentToMicrosoftToContactSpecificPartners: false),
            details: ReferralDetails(
                notes: "Needs \"Dynamics\" by Q3\r\nBudget approved", dealValue: 50000.25, currency: "EUR",
                closingDateTime: APIDateTime("2024-06-25"),
                requirements: Requirements(
                    industries: [Tag(id: "Agriculture, Forestry, & Fishing")], products: [Tag(id: "DynamicsAX,GP,NAV,SL")],
                    services: [Tag(id: "CustomSolution(ISV)")],
                    solutions: [SolutionTag(id: "SOL-34104-EBB", name: "Field Service", type: .category)]),
                customerRequestedContact: true, customerAction: "Contact", incentiveLevel: "None"),
            team: [Member(firstName: "John", lastName: "Doe", email: "john.doe@contoso.example")],
            inviteContext: InviteContext(
                notes: "Hi", invitedBy: InvitedBy(organizationId: "msft", organizationName: "Microsoft"),
                assistanceRequestCode: "GeneralOrOther", invitedMpnId: "1234567"),
            target: [ReferralTarget(type: .solutionProfile, id: "SOL-34104-EBB"), .microsoft],
            eTag: "\"00006d10-0000-0000-0000-5c70aa630000\"",
            links: ReferralLinks(
                relatedReferrals: .init(uri: "https://api.partner.microsoft.com/v1.0/engagements/referrals?$filter=engagementId eq 'e'", method: "GET"),
                self: .init(uri: "https://api.partner.microsoft.com/v1.0/engagements/referrals/9b9c", method: "GET")),
            odataContext: "https://api.partner.microsoft.com/v1.0/$metadata#Referrals/$entity",
            additionalFields: [
                "favorite": .bool(true), "tags": .array([.string("a"), .null, .number(3)]),
                "trackingInfo": .object(["microsoftMsxId": .string("7-X"), "b": .number(0.5), "a": .null]),
                "salesStage": .string("100"), "quality": .string("Unknown"),
            ])
    }
}
