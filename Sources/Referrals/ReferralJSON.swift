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
        write(referral, into: &scratch)
        return scratch.array()
    }

    /// `encode(_:)`, written first into `scratch` (a caller that encodes many referrals keeps one),
    /// then copied into a page of `pages` (see `JSONPage`): the stream holds a few thousand encoded
    /// referrals at once, and an array of their own each cost an allocation and a free on another
    /// thread.
    public static func encode(_ referral: borrowing Referral, reusing scratch: inout JSONBytes, into pages: inout JSONPageWriter) -> JSONSpan {
        write(referral, into: &scratch)
        return scratch.withBytes { pages.append($0) }
    }

    /// The referral's JSON in `scratch`, in place of what it held.
    private static func write(_ referral: borrowing Referral, into scratch: inout JSONBytes) {
        scratch.removeAll()
        var writer = ReferralJSONWriter(out: scratch)
        writer.write(referral)
        scratch = writer.finish()
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
