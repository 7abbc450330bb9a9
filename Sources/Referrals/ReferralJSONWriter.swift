/// Writes a referral as compact JSON bytes, by hand.
///
/// The preview writes one referral per record, so this is on the hot path (perf-notes.md: an encoder
/// written for the Referral shape, appending bytes to a reused buffer, beats `JSONEncoder` by a wide
/// margin). Output rules, kept equivalent to `Referral.encode(to:)`:
/// - keys in the order of `Referral.encode(to:)` and, for nested objects, of their declarations
///   (what the synthesized `Codable` conformances write); `nil` fields are left out;
/// - `additionalFields` of every object (and objects inside any `JSONValue`) after the known keys, sorted by key, so
///   the same referral gives the same bytes in every process (dictionary order is randomized);
/// - strings: `"` and `\` escaped, `\b \f \n \r \t` in their short form, other control characters as
///   `\u00XX`; `/` and non-ASCII UTF-8 passed through unchanged;
/// - numbers: integral values below 2^53 without a fraction (`50000`), others as Swift's shortest
///   round-trip `description` (`0.1`, `1e+20`, `5e-324`, all valid JSON), non-finite as `null`.
struct ReferralJSONWriter: ~Copyable {
    var out: JSONBytes
    /// Whether the next key or array element needs a comma before it. One flag is enough: opening an
    /// object or array clears it, writing any value (closing one included) sets it.
    private var needsComma = false

    init(out: consuming JSONBytes = JSONBytes()) { self.out = out }

    /// The bytes written, handed back (to be reused).
    consuming func finish() -> JSONBytes { out }

    // MARK: the referral

    mutating func write(_ r: Referral) {
        beginObject()
        field(#""@odata.context":"#, r.odataContext)
        field(#""id":"#, r.id)
        field(#""engagementId":"#, r.engagementId)
        field(#""organizationId":"#, r.organizationId)
        field(#""organizationName":"#, r.organizationName)
        field(#""name":"#, r.name)
        field(#""externalReferenceId":"#, r.externalReferenceId)
        field(#""createdDateTime":"#, r.createdDateTime)
        field(#""updatedDateTime":"#, r.updatedDateTime)
        field(#""expirationDateTime":"#, r.expirationDateTime)
        field(#""closedDateTime":"#, r.closedDateTime)
        field(#""acceptedDateTime":"#, r.acceptedDateTime)
        field(#""status":"#, r.status)
        field(#""substatus":"#, r.substatus)
        field(#""statusReason":"#, r.statusReason)
        field(#""qualification":"#, r.qualification)
        field(#""type":"#, r.type)
        field(#""direction":"#, r.direction)
        field(#""eTag":"#, r.eTag)
        if let targets = r.target {
            key(#""target":"#)
            beginArray()
            for target in targets { element(); write(target) }
            endArray()
        }
        if let profile = r.customerProfile { key(#""customerProfile":"#); write(profile) }
        if let consent = r.consent { key(#""consent":"#); write(consent) }
        if let details = r.details { key(#""details":"#); write(details) }
        if let team = r.team { key(#""team":"#); write(team) }
        if let invite = r.inviteContext { key(#""inviteContext":"#); write(invite) }
        if let links = r.links { key(#""links":"#); write(links) }
        extras(r)
        endObject()
    }

    /// The additional fields of an object, sorted by key, after its known ones. A known key is
    /// there only when its typed property is nil (`JSONObjectModel.additionalFieldsToWrite`).
    private mutating func extras(_ object: some JSONObjectModel) {
        guard !object.additionalFields.isEmpty else { return }
        for (name, value) in object.additionalFieldsToWrite() {
            key(data: name)
            write(value)
        }
    }

    // MARK: nested objects, fields in declaration order

    private mutating func write(_ p: CustomerProfile) {
        beginObject()
        field(#""name":"#, p.name)
        if let address = p.address {
            key(#""address":"#)
            beginObject()
            field(#""addressLine1":"#, address.addressLine1)
            field(#""addressLine2":"#, address.addressLine2)
            field(#""city":"#, address.city)
            field(#""state":"#, address.state)
            field(#""postalCode":"#, address.postalCode)
            field(#""country":"#, address.country)
            field(#""region":"#, address.region)
            extras(address)
            endObject()
        }
        field(#""size":"#, p.size)
        if let team = p.team { key(#""team":"#); write(team) }
        if let ids = p.ids {
            key(#""ids":"#)
            beginArray()
            for id in ids {
                element()
                beginObject()
                field(#""profileType":"#, id.profileType)
                field(#""id":"#, id.id)
                extras(id)
                endObject()
            }
            endArray()
        }
        field(#""isMatchingComplete":"#, p.isMatchingComplete)
        extras(p)
        endObject()
    }

    private mutating func write(_ members: [Member]) {
        beginArray()
        // Through the buffer: `for … in` here and `enumerated()` in the validator cost 3 more
        // reference counts a record (scripts/refcounts). Each member is still copied once for the
        // call: the compiler cannot rule out that the writer's buffer aliases it.
        members.withUnsafeBufferPointer { members in
            for index in members.indices {
                element()
                write(members[index])
            }
        }
        endArray()
    }

    private mutating func write(_ m: borrowing Member) {
        beginObject()
        field(#""firstName":"#, m.firstName)
        field(#""lastName":"#, m.lastName)
        field(#""phoneNumber":"#, m.phoneNumber)
        field(#""email":"#, m.email)
        field(#""title":"#, m.title)
        if let preference = m.contactPreference {
            key(#""contactPreference":"#)
            beginObject()
            field(#""locale":"#, preference.locale)
            field(#""disableNotifications":"#, preference.disableNotifications)
            extras(preference)
            endObject()
        }
        extras(m)
        endObject()
    }

    private mutating func write(_ c: Consent) {
        beginObject()
        field(#""consentToToShareInfoWithOthers":"#, c.consentToToShareInfoWithOthers)
        field(#""consentToContact":"#, c.consentToContact)
        field(#""consentToShareReferralWithMicrosoftSellers":"#, c.consentToShareReferralWithMicrosoftSellers)
        field(#""consentToMicrosoftToContactSpecificPartners":"#, c.consentToMicrosoftToContactSpecificPartners)
        extras(c)
        endObject()
    }

    private mutating func write(_ d: ReferralDetails) {
        beginObject()
        field(#""notes":"#, d.notes)
        field(#""dealValue":"#, d.dealValue)
        field(#""currency":"#, d.currency)
        field(#""closingDateTime":"#, d.closingDateTime)
        if let requirements = d.requirements {
            key(#""requirements":"#)
            beginObject()
            tags(#""industries":"#, requirements.industries)
            tags(#""products":"#, requirements.products)
            tags(#""services":"#, requirements.services)
            if let solutions = requirements.solutions {
                key(#""solutions":"#)
                beginArray()
                for s in solutions {
                    element()
                    beginObject()
                    field(#""id":"#, s.id)
                    field(#""name":"#, s.name)
                    field(#""type":"#, s.type)
                    extras(s)
                    endObject()
                }
                endArray()
            }
            extras(requirements)
            endObject()
        }
        field(#""customerRequestedContact":"#, d.customerRequestedContact)
        field(#""customerAction":"#, d.customerAction)
        field(#""incentiveLevel":"#, d.incentiveLevel)
        extras(d)
        endObject()
    }

    private mutating func write(_ tag: borrowing Tag) {
        beginObject()
        field(#""id":"#, tag.id)
        extras(tag)
        endObject()
    }

    private mutating func tags(_ name: StaticString, _ tags: [Tag]?) {
        guard let tags else { return }
        key(name)
        beginArray()
        tags.withUnsafeBufferPointer { tags in
            for index in tags.indices {
                element()
                write(tags[index])
            }
        }
        endArray()
    }

    private mutating func write(_ i: InviteContext) {
        beginObject()
        field(#""notes":"#, i.notes)
        if let by = i.invitedBy {
            key(#""invitedBy":"#)
            beginObject()
            field(#""organizationId":"#, by.organizationId)
            field(#""organizationName":"#, by.organizationName)
            extras(by)
            endObject()
        }
        field(#""assistanceRequestCode":"#, i.assistanceRequestCode)
        field(#""invitedMpnId":"#, i.invitedMpnId)
        extras(i)
        endObject()
    }

    private mutating func write(_ t: ReferralTarget) {
        beginObject()
        field(#""type":"#, t.type)
        field(#""id":"#, t.id)
        extras(t)
        endObject()
    }

    private mutating func write(_ l: ReferralLinks) {
        beginObject()
        if let link = l.relatedReferrals { key(#""relatedReferrals":"#); write(link) }
        if let link = l.`self` { key(#""self":"#); write(link) }
        endObject()
    }

    private mutating func write(_ l: ReferralLinks.Link) {
        beginObject()
        field(#""uri":"#, l.uri)
        field(#""method":"#, l.method)
        endObject()
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let n): number(n)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { element(); write(item) }
            endArray()
        case .object(let members):
            beginObject()
            for name in members.keys.sorted() {
                key(data: name)
                write(members[name]!)
            }
            endObject()
        }
    }

    // MARK: optional fields

    private mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    private mutating func field(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bool(value)
    }

    private mutating func field(_ name: StaticString, _ value: Double?) {
        guard let value else { return }
        key(name)
        number(value)
    }

    private mutating func field(_ name: StaticString, _ value: APIDateTime?) {
        guard let value else { return }
        key(name)
        string(value.text)
    }

    private mutating func field<Value: OpenStringEnum>(_ name: StaticString, _ value: Value?) {
        guard let value else { return }
        key(name)
        string(value.rawValue)
    }

    // MARK: structure

    private mutating func beginObject() {
        out.append(UInt8(ascii: "{"))
        needsComma = false
    }

    private mutating func endObject() {
        out.append(UInt8(ascii: "}"))
        needsComma = true
    }

    private mutating func beginArray() {
        out.append(UInt8(ascii: "["))
        needsComma = false
    }

    private mutating func endArray() {
        out.append(UInt8(ascii: "]"))
        needsComma = true
    }

    private mutating func element() {
        if needsComma { out.append(UInt8(ascii: ",")) }
    }

    /// A key known at compile time, written with its quotes and colon (`#""name":"#`): plain ASCII,
    /// nothing to escape, so one copy instead of four appends (a referral has two dozen keys).
    private mutating func key(_ quoted: StaticString) {
        if needsComma { out.append(UInt8(ascii: ",")) }
        quoted.withUTF8Buffer { out.append($0) }
        needsComma = false
    }

    /// A key from data (`additionalFields`, `JSONValue` objects): escaped like any string.
    private mutating func key(data name: String) {
        if needsComma { out.append(UInt8(ascii: ",")) }
        string(name)
        out.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: values

    private mutating func null() {
        ("null" as StaticString).withUTF8Buffer { out.append($0) }
        needsComma = true
    }

    private mutating func bool(_ value: Bool) {
        let text: StaticString = value ? "true" : "false"
        text.withUTF8Buffer { out.append($0) }
        needsComma = true
    }

    mutating func number(_ value: Double) {
        guard value.isFinite else {
            // JSON has no NaN or infinity; `null` decodes back as an absent value.
            null()
            return
        }
        defer { needsComma = true }
        // Below 2^53 every integer is exact, so `50000.0` is written `50000` as the API's examples do.
        if value.rounded(.towardZero) == value, value.magnitude < 9_007_199_254_740_992 {
            out.append(decimal: Int(value))
        } else {
            // Shortest round-trip digits; exponent forms such as `1e+20` or `1.5e-07` are valid JSON.
            // Integral values from 2^53 to 2^64 print as `9007199254740992.0`: drop the `.0`.
            var text = value.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            text.withUTF8 { out.append($0) }
        }
    }

    mutating func string(_ value: String) {
        out.append(UInt8(ascii: "\""))
        JSONString.appendEscaped(value, to: &out)
        out.append(UInt8(ascii: "\""))
        needsComma = true
    }
}
