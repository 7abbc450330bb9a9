/// Length and count limits refbridge holds referrals to.
///
/// The Partner API documents none (partner-api.md §7). These are refbridge's own decision: the
/// lengths of the matching Dataverse lead columns (formats.md B.1), which every referral coming from
/// a Dynamics export already fits, and round caps for the rest, so that an oversized value is caught
/// (and truncated with a warning by the mapping layer) before the API can refuse it.
public enum ReferralLimits {
    /// Maximum length in characters of the string at `path` (array indexes written `[]`).
    public static let lengths: [String: Int] = [
        "name": 300,  // lead `subject` (Topic)
        "statusReason": 1000,
        "externalReferenceId": 100,
        "customerProfile.name": 160,  // account `name`
        "customerProfile.address.addressLine1": 250,  // `address1_line1`
        "customerProfile.address.addressLine2": 250,
        "customerProfile.address.city": 80,  // `address1_city`
        "customerProfile.address.state": 50,
        "customerProfile.address.region": 50,
        "customerProfile.address.postalCode": 20,  // `address1_postalcode`
        "customerProfile.address.country": 2,
        "customerProfile.team[].firstName": 50,  // `firstname`
        "customerProfile.team[].lastName": 50,
        "customerProfile.team[].email": 100,  // `emailaddress1`
        "customerProfile.team[].phoneNumber": 50,  // `telephone1`
        "customerProfile.team[].title": 100,
        "team[].firstName": 50,
        "team[].lastName": 50,
        "team[].email": 100,
        "team[].phoneNumber": 50,
        "team[].title": 100,
        "details.notes": 2000,  // lead `description`
        "details.currency": 3,
        "inviteContext.notes": 2000,
    ]

    /// Maximum number of items in the array at `path`.
    public static let counts: [String: Int] = [
        "customerProfile.team": 20,
        "team": 20,
        "target": 10,
        "details.requirements.industries": 20,
        "details.requirements.products": 50,
        "details.requirements.services": 50,
        "details.requirements.solutions": 50,
    ]

    /// The documented upper bound of a money value (Dataverse money columns: 0 … 1e12).
    public static let maxDealValue = 1_000_000_000_000.0

    /// The length limit for a concrete path such as `customerProfile.team[1].email`.
    public static func maxLength(forPath path: String) -> Int? {
        lengths[genericPath(path)]
    }

    /// `customerProfile.team[1].email` → `customerProfile.team[].email`.
    static func genericPath(_ path: String) -> String {
        var result = ""
        var inIndex = false
        for character in path {
            if character == "[" {
                inIndex = true
                result.append("[")
            } else if character == "]" {
                inIndex = false
                result.append("]")
            } else if !inIndex {
                result.append(character)
            }
        }
        return result
    }
}
