public import Foundation

/// The one JSON encoding of a referral: what the client POSTs and what the preview prints are the same bytes.
///
/// Encoding is hand-written (`ReferralJSONWriter`) because the preview runs it once per record;
/// `Referral.encode(to:)` writes the same keys in the same order, so a `JSONEncoder` round trip and
/// this one agree after parsing. Decoding stays on `Codable`: it runs once per API answer.
public enum ReferralJSON {
    /// Compact JSON for `referral`, keys in the model's order.
    public static func encode(_ referral: borrowing Referral) -> [UInt8] {
        var scratch = JSONBytes()
        return encode(referral, reusing: &scratch)
    }

    /// `encode(_:)`, written first into `scratch` (a caller that encodes many referrals keeps one),
    /// then copied once into an array of its exact size: the stream holds a few thousand encoded
    /// referrals at once, and an array reserved for the largest kept its unused tail.
    public static func encode(_ referral: borrowing Referral, reusing scratch: inout JSONBytes) -> [UInt8] {
        scratch.removeAll()
        var writer = ReferralJSONWriter(out: scratch)
        writer.write(referral)
        scratch = writer.finish()
        return scratch.array()
    }

    /// `encode(_:reusing:)`, with the bytes copied into a page of `pages` rather than an array of
    /// their own (see `JSONPage`).
    public static func encode(_ referral: borrowing Referral, reusing scratch: inout JSONBytes, into pages: inout JSONPageWriter) -> JSONSpan {
        scratch.removeAll()
        var writer = ReferralJSONWriter(out: scratch)
        writer.write(referral)
        scratch = writer.finish()
        return scratch.withBytes { pages.append($0) }
    }

    /// Appends the JSON for `referral` to `buffer`, for a caller that reuses one buffer per record
    /// (clear it with `removeAll(keepingCapacity: true)`). The bytes are those of `encode(_:)`.
    public static func encode(_ referral: borrowing Referral, into buffer: inout [UInt8]) {
        var writer = ReferralJSONWriter()
        writer.write(referral)
        writer.out.withBytes { buffer.append(contentsOf: $0) }
    }

    /// Compact JSON for any `JSONValue`, with object keys sorted, by the same writer.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var writer = ReferralJSONWriter()
        writer.write(value)
        return writer.out.array()
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
