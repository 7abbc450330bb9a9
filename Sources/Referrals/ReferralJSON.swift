public import Foundation

/// The one JSON encoding of a referral: what the client POSTs and what the preview prints are the same bytes.
///
/// Encoding is hand-written (`ReferralJSONWriter`) because the preview runs it once per record;
/// `Referral.encode(to:)` writes the same keys in the same order, so a `JSONEncoder` round trip and
/// this one agree after parsing. Decoding stays on `Codable`: it runs once per API answer.
public enum ReferralJSON {
    /// Compact JSON for `referral`, keys in the model's order.
    public static func encode(_ referral: Referral) -> [UInt8] {
        var bytes: [UInt8] = []
        // A lead's referral is 700–850 bytes; the stream holds a few thousand encoded at once, so
        // the 2 KB reserved before were 1.3 MB a chunk left unused (and peak RSS rose with the
        // run's length as the chunks in flight happened to peak). A bigger one grows once.
        bytes.reserveCapacity(1024)
        encode(referral, into: &bytes)
        return bytes
    }

    /// Appends the JSON for `referral` to `buffer`, for a caller that reuses one buffer per record
    /// (clear it with `removeAll(keepingCapacity: true)`). The bytes are those of `encode(_:)`.
    public static func encode(_ referral: borrowing Referral, into buffer: inout [UInt8]) {
        var writer = ReferralJSONWriter(out: [])
        swap(&writer.out, &buffer)  // move, not copy: the buffer stays uniquely referenced
        writer.write(referral)
        swap(&writer.out, &buffer)
    }

    /// Compact JSON for any `JSONValue`, with object keys sorted, by the same writer.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var writer = ReferralJSONWriter(out: [])
        writer.write(value)
        return writer.out
    }

    /// Reads a referral the server sent, leniently: any JSON object decodes. A member of a shape
    /// the model cannot read (`"ids": {}`), an unknown member or enum value, a `null` or `""` is
    /// kept, raw where need be, and written back unchanged (partner-api.md, Decisions: unknown
    /// fields are never fatal). Throws only when `bytes` is not a JSON object.
    public static func decode(_ bytes: some Collection<UInt8>) throws -> Referral {
        try lenientDecoder().decode(Referral.self, from: Data(bytes))
    }

    /// A decoder that reads referrals leniently (see `decode(_:)`), e.g. inside a list page.
    public static func lenientDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[.lenientReferralDecoding] = true
        return decoder
    }
}
