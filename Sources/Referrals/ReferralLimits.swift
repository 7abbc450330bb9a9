/// Length and count limits refbridge holds referrals to.
///
/// The Partner API documents none (partner-api.md §7). These are refbridge's own decision: the
/// lengths of the matching Dataverse lead columns (formats.md B.1), which every referral coming from
/// a Dynamics export already fits, and round caps for the rest, so that an oversized value is caught
/// (and truncated with a warning by the mapping layer) before the API can refuse it.
public enum ReferralLimits {
    /// Maximum length of the string at `path` (array indexes written `[]`), counted in UTF-16 code
    /// units as .NET and Dataverse count string lengths (so `🚀` counts 2): truncate with
    /// `String.prefix` on `utf16` at a character boundary to stay within it.
    ///
    /// Codes (`customerProfile.address.country`, `details.currency`) have no entry on purpose: they
    /// are checked against `CountryCodes`/`CurrencyCodes`, and truncating `AUT` to `AU` would turn
    /// Austria into Australia.
    public static let lengths: [String: Int] = [
        "name": 300,  // lead `subject` (Topic)
        "statusReason": 1000,  // round cap for free text; no Dataverse twin
        "externalReferenceId": 100,  // CRM keys: Dataverse GUID 36, Salesforce id 18
        "customerProfile.name": 160,  // account `name` (lead `companyname` is 100)
        "customerProfile.address.addressLine1": 250,  // `address1_line1`
        "customerProfile.address.addressLine2": 250,  // `address1_line2`
        "customerProfile.address.city": 80,  // `address1_city`
        "customerProfile.address.state": 50,  // `address1_stateorprovince`
        "customerProfile.address.region": 50,  // holds the state in real data (§1.4)
        "customerProfile.address.postalCode": 20,  // `address1_postalcode`
        "customerProfile.team[].firstName": 50,  // `firstname`
        "customerProfile.team[].lastName": 50,
        "customerProfile.team[].email": 100,  // `emailaddress1`
        "customerProfile.team[].phoneNumber": 50,  // `telephone1`
        "customerProfile.team[].title": 100,  // `jobtitle`
        "team[].firstName": 50,  // the partner's people: same columns as contacts
        "team[].lastName": 50,
        "team[].email": 100,
        "team[].phoneNumber": 50,
        "team[].title": 100,
        "details.notes": 2000,  // lead `description`
        "inviteContext.notes": 2000,  // as details.notes
    ]

    /// Maximum number of items in the array at `path`.
    ///
    /// The API documents no maximum counts either; these are round caps well above what a real deal
    /// carries (the seed example has 2 contacts and 1 tag of each kind), so that a mapping mistake
    /// (every row's contacts on one referral) is caught.
    public static let counts: [String: Int] = [
        "customerProfile.team": 20,
        "team": 20,
        "target": 10,
        "details.requirements.industries": 20,
        "details.requirements.products": 50,
        "details.requirements.services": 50,
        "details.requirements.solutions": 50,
    ]

    /// The item limit for a concrete path such as `details.requirements.industries`.
    public static func maxCount(forPath path: String) -> Int? {
        counts[genericPath(path)]
    }

    /// The documented upper bound of a money value (Dataverse money columns: 0 … 1e12).
    public static let maxDealValue = 1_000_000_000_000.0

    /// The length limit for a concrete path such as `customerProfile.team[1].email`.
    public static func maxLength(forPath path: String) -> Int? {
        lengths[genericPath(path)]
    }

    /// The length of `value` as `lengths` counts it: UTF-16 code units.
    public static func length(of value: String) -> Int { value.utf16.count }

    /// Whether `value` is longer than `limit` as `length(of:)` counts. A UTF-16 length is at most the
    /// UTF-8 length, so most values are settled without counting: this runs for every field of
    /// every record a preview maps.
    public static func exceeds(_ value: String, _ limit: Int) -> Bool {
        value.utf8.count > limit && length(of: value) > limit
    }

    /// `value` cut to the limit of `path` at a character boundary (never splitting an accent or an
    /// emoji), or `nil` when it fits or `path` has no limit. For the mapping layer's truncate-with-warning.
    public static func truncated(_ value: String, forPath path: String) -> String? {
        guard let limit = maxLength(forPath: path), length(of: value) > limit else { return nil }
        var units = 0
        var end = value.startIndex
        for index in value.indices {
            let next = value.index(after: index)
            units += value.utf16.distance(from: index, to: next)
            if units > limit { break }
            end = next
        }
        return String(value[..<end])
    }

    /// `genericPath`, for "did you mean" on text a user typed.
    public static func genericPathForSuggestions(_ path: String) -> String { genericPath(path) }

    /// `customerProfile.team[1].email` → `customerProfile.team[].email`.
    static func genericPath(_ path: String) -> String {
        // Runs for every field of every record: bytes, not Characters, and no copy without an index.
        guard path.utf8.contains(UInt8(ascii: "[")) else { return path }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        var inIndex = false
        for byte in path.utf8 {
            if byte == UInt8(ascii: "[") {
                inIndex = true
                bytes.append(byte)
            } else if byte == UInt8(ascii: "]") {
                inIndex = false
                bytes.append(byte)
            } else if !inIndex {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
