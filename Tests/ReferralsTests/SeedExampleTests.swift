import Fixtures
import Foundation
import Testing

@testable import Referrals

/// The documented create request and response (kept in `SeedFixtures`) must survive the model.
@Suite struct SeedExampleTests {
    @Test func responseRoundTripsWithoutLoss() throws {
        let original = try SeedExample.json("create-response.json")
        let referral = try ReferralJSON.decode(original)
        let reencoded = ReferralJSON.encode(referral)
        #expect(try SeedExample.normalized(reencoded) == SeedExample.normalized(original))
        #expect(referral.status == .active)
        #expect(referral.eTag == "\"00006d10-0000-0000-0000-5c70aa630000\"")
        #expect(referral.createdDateTime?.text == "2019-02-23T02:05:23.2931817Z")
    }

    @Test func requestDecodes() throws {
        let referral = try ReferralJSON.decode(SeedExample.json("create-request.json"))
        #expect(referral.type == .shared)
        #expect(referral.consent?.consentToToShareInfoWithOthers == true)
        #expect(referral.validationIssues(for: .create).isEmpty)
    }
}

enum SeedExample {
    /// From the fixtures inside the repository (`SeedFixtures`): no test reads outside it.
    static func json(_ name: String) throws -> Data {
        try SeedFixtures.data(name)
    }

    /// JSON as a Foundation value with nulls dropped, so key order and absent-vs-null do not count.
    static func normalized(_ data: some Collection<UInt8>) throws -> NSObject {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !($0.value is NSNull) }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return strip(try JSONSerialization.jsonObject(with: Data(data))) as! NSObject
    }
}
