import Foundation

/// The one JSON encoding of a referral: what the client POSTs and what the preview prints are the same bytes.
public enum ReferralJSON {
    /// Compact JSON for `referral`, keys in the model's order.
    public static func encode(_ referral: Referral) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a model of strings, numbers and bools cannot fail but for non-finite numbers,
        // which the mapping layer never produces.
        return (try? Array(encoder.encode(referral))) ?? Array("{}".utf8)
    }

    public static func decode(_ bytes: some Collection<UInt8>) throws -> Referral {
        try JSONDecoder().decode(Referral.self, from: Data(bytes))
    }
}
