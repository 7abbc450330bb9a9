/// The column names refbridge knows for each referral field: Dynamics display names (the headers
/// of "Export to Excel"), Dataverse logical names (Web API, CMT) and Salesforce API names, for
/// leads and opportunities (shared/formats.md, the presets).
enum FieldCatalog {
    enum Family: String {
        case display = "display name"
        case logical = "logical name"
        case salesforce = "Salesforce API name"
    }

    struct Known {
        var name: String
        var family: Family
    }

    /// Known names for `slot`, the producer's own family first.
    static func names(for slot: DraftSlot, kind: RecordKind, producer: Producer) -> [Known] {
        let table = kind == .lead ? lead : opportunity
        let all = table[slot] ?? []
        let order: [Family] = switch producer {
        case .dynamicsExcel: [.display, .logical, .salesforce]
        case .dataverseWebAPI, .dynamicsCMT: [.logical, .display, .salesforce]
        case .salesforce: [.salesforce, .display, .logical]
        case .unknown: [.display, .salesforce, .logical]
        }
        return order.flatMap { family in all.filter { $0.family == family } }
    }

    private static func d(_ names: String...) -> [Known] { names.map { Known(name: $0, family: .display) } }
    private static func l(_ names: String...) -> [Known] { names.map { Known(name: $0, family: .logical) } }
    private static func s(_ names: String...) -> [Known] { names.map { Known(name: $0, family: .salesforce) } }

    /// An account's logical names, as an opportunity's `$expand` of its customer writes them.
    private static func account(_ names: String...) -> [Known] {
        names.flatMap { name in ["customerid_account.", "parentaccountid.", "customerid.", "account."].map { Known(name: $0 + name, family: .logical) } }
    }

    private static func contact(_ names: String...) -> [Known] {
        names.flatMap { name in ["parentcontactid.", "customerid_contact.", "contact."].map { Known(name: $0 + name, family: .logical) } }
    }

    static let lead: [DraftSlot: [Known]] = [
        .key: d("(Do Not Modify) Lead") + l("leadid", "@id") + s("Id"),
        .topic: d("Topic") + l("subject"),
        .company: d("Company Name") + l("companyname") + s("Company"),
        .street: d("Street 1") + l("address1_line1") + s("Street"),
        .city: d("City") + l("address1_city") + s("City"),
        .state: d("State/Province") + l("address1_stateorprovince") + s("State", "StateCode"),
        .postalCode: d("ZIP/Postal Code") + l("address1_postalcode") + s("PostalCode"),
        .country: d("Country/Region") + l("address1_country") + s("CountryCode", "Country"),
        .firstName: d("First Name") + l("firstname") + s("FirstName"),
        .lastName: d("Last Name") + l("lastname") + s("LastName"),
        .email: d("Email") + l("emailaddress1") + s("Email"),
        .phone: d("Business Phone", "Mobile Phone") + l("telephone1", "mobilephone") + s("Phone", "MobilePhone"),
        .notes: d("Description") + l("description") + s("Description"),
        .dealValue: d("Est. Value", "Budget Amount") + l("estimatedamount", "estimatedvalue", "budgetamount") + s("AnnualRevenue"),
        .currency: d("Currency") + l("_transactioncurrencyid_value", "transactioncurrencyid@lookupentityname", "transactioncurrencyid") + s("CurrencyIsoCode"),
        .closeDate: d("Est. Close Date") + l("estimatedclosedate"),
        .industry: d("Industry") + l("industrycode") + s("Industry"),
    ]

    static let opportunity: [DraftSlot: [Known]] = [
        .key: d("(Do Not Modify) Opportunity") + l("opportunityid", "@id") + s("Id"),
        .topic: d("Topic") + l("name") + s("Name"),
        .company: d("Potential Customer", "Account") + account("name")
            + l("_customerid_value", "_parentaccountid_value", "customerid@lookupentityname", "parentaccountid@lookupentityname") + s("Account.Name", "AccountName"),
        .street: account("address1_line1") + s("Account.BillingStreet"),
        .city: account("address1_city") + s("Account.BillingCity"),
        .state: account("address1_stateorprovince") + s("Account.BillingState"),
        .postalCode: account("address1_postalcode") + s("Account.BillingPostalCode"),
        .country: account("address1_country") + s("Account.BillingCountryCode", "Account.BillingCountry"),
        .firstName: contact("firstname") + s("Contact.FirstName"),
        .lastName: contact("lastname") + s("Contact.LastName"),
        .email: contact("emailaddress1") + s("Contact.Email"),
        .phone: contact("telephone1", "mobilephone") + s("Contact.Phone"),
        .notes: d("Description") + l("description") + s("Description"),
        .dealValue: d("Est. Revenue") + l("estimatedvalue", "budgetamount") + s("Amount"),
        .currency: d("Currency") + l("_transactioncurrencyid_value", "transactioncurrencyid@lookupentityname", "transactioncurrencyid") + s("CurrencyIsoCode"),
        .closeDate: d("Est. Close Date") + l("estimatedclosedate") + s("CloseDate"),
        .industry: d("Industry") + account("industrycode") + s("Account.Industry"),
    ]

    /// Lower-cased names that only Salesforce writes, for recognising its exports.
    static let salesforceNames: Set<String> = [
        "isdeleted", "postalcode", "countrycode", "currencyisocode", "annualrevenue", "numberofemployees", "isconverted", "leadsource",
        "stagename", "closedate", "isclosed", "iswon", "ownerid", "createddate", "lastmodifieddate", "systemmodstamp", "accountid",
        "hasoptedoutofemail", "convertedopportunityid", "company",
    ]

    /// Lower-cased Dynamics display names (Excel headers).
    static let dynamicsDisplayNames: Set<String> = [
        "topic", "company name", "business phone", "street 1", "state/province", "zip/postal code", "country/region", "est. value",
        "est. close date", "status reason", "rating", "do not allow emails", "est. revenue", "potential customer", "first name", "last name",
        "mobile phone", "lead source", "no. of employees",
    ]

    /// Lower-cased Dataverse logical names.
    static let dynamicsLogicalNames: Set<String> = [
        "leadid", "opportunityid", "subject", "companyname", "emailaddress1", "telephone1", "address1_line1", "address1_city",
        "address1_postalcode", "address1_country", "address1_stateorprovince", "estimatedamount", "estimatedvalue", "estimatedclosedate",
        "industrycode", "leadqualitycode", "statuscode", "statecode", "donotemail", "transactioncurrencyid", "_transactioncurrencyid_value",
    ]
}
