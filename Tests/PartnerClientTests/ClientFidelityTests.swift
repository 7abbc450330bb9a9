import Foundation
import Logging
@testable import PartnerClient
import Referrals
import Sandbox
import Testing
import NIOHTTP1

/// Issue #12 items 1–4: the client reads real answers and speaks the documented headers and codes.
struct ClientFidelityTests {
    /// A list page shaped like the real 2022 answers (partner-api.md [I]) and the docs' list
    /// example: `"ids": {}`, `"size": ""`, nested undocumented members, unknown enum values, nulls.
    static let recordedPage = #"""
        {"value": [
          {"id": "0b1e0a4e-0000-4000-8000-000000000001", "engagementId": "e1", "externalReferenceId": "crm-1",
           "status": "Active", "substatus": "Accepted", "type": "Independent", "qualification": "SalesQualified",
           "direction": "Outgoing", "salesStage": "100", "tags": [], "target": [], "favorite": false,
           "customerProfile": {"name": "Contoso", "size": "", "ids": {}, "isMatchingComplete": true,
             "address": {"country": "US", "state": null, "region": "WA", "county": "King"},
             "team": [{"firstName": "Sue", "email": "sue@contoso.example", "title": "CTO", "contactPreference": {"locale": "en-us", "disableNotifications": null, "channel": "Email"}}]},
           "consent": {"consentToToShareInfoWithOthers": true, "consentToContact": true, "consentToShareReferralWithMicrosoftSellers": false, "consentToPartnerMarketing": true},
           "details": {"notes": null, "dealValue": 1000, "currency": "USD", "customerAction": "Purchase", "incentiveLevel": "None",
             "requirements": {"industries": [], "products": [], "services": [],
               "solutions": [{"id": "SOL-2173-UYM", "name": "Widget", "type": "Name", "publisherName": "Fabrikam", "solutionType": "SaaS", "price": 99.5, "quantity": 3, "currency": "USD"}],
               "offers": [{"id": "OFF-1"}], "salesPlays": ["Migrate"], "additionalRequirements": {"attributes": [{"name": "customerMarketplaceIntent", "value": "Yes"}]}}},
           "inviteContext": {"notes": "", "invitedBy": {"organizationId": "msft", "organizationName": "Microsoft", "mpnId": "1"}, "assistanceRequestCode": "SomethingNew"}},
          {"id": "0b1e0a4e-0000-4000-8000-000000000002", "engagementId": "e2", "externalReferenceId": "crm-2",
           "status": "Archived", "substatus": "Frozen", "type": "Independent",
           "customerProfile": {"name": "Fabrikam", "ids": [{"profileType": "Duns", "id": ""}], "size": null},
           "consent": {"consentToToShareInfoWithOthers": true, "consentToContact": false}, "details": {"dealValue": "12.5"}}
        ]}
        """#

    /// JSON as Foundation values, `null` members dropped: a null and an absent member say the same.
    static func normalized(_ data: some Collection<UInt8>) throws -> NSObject {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] { return object.filter { !($0.value is NSNull) }.mapValues(strip) }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return strip(try JSONSerialization.jsonObject(with: Data(data))) as? NSObject ?? NSNull()
    }

    @Test func aRecordedPageWithOddShapesIsReadWholeAndEveryUnknownMemberRoundTrips() async throws {
        try await SandboxClientHarness.with { server, client in
            try await server.seed(recorded: Data(Self.recordedPage.utf8))
            let page = try await client.list(orderBy: "createdDateTime asc")
            #expect(page.unreadable.isEmpty)
            #expect(page.referrals.count == 2)
            let first = try #require(page.referrals.first { $0.externalReferenceId == "crm-1" })
            #expect(first.customerProfile?.ids == nil)
            #expect(first.customerProfile?.additionalFields["ids"] == .object([:]))
            #expect(first.customerProfile?.size?.rawValue == "")
            #expect(first.inviteContext?.assistanceRequestCode?.rawValue == "SomethingNew")
            #expect(first.details?.requirements?.solutions?.first?.additionalFields["publisherName"] == .string("Fabrikam"))
            #expect(first.details?.requirements?.additionalFields["salesPlays"] == .array([.string("Migrate")]))
            let second = try #require(page.referrals.first { $0.externalReferenceId == "crm-2" })
            #expect(second.status?.rawValue == "Archived" && second.substatus?.rawValue == "Frozen")
            #expect(second.customerProfile?.ids == [CustomerProfileId(profileType: .duns, id: "")])
            // A string where the model has a number is kept raw, not fatal.
            #expect(second.details?.dealValue == nil && second.details?.additionalFields["dealValue"] == .string("12.5"))
            // Round trip: every member of the recorded items, at every level, comes back.
            let recorded = try #require(try Self.normalized(Data(Self.recordedPage.utf8)) as? [String: Any])
            let items = try #require(recorded["value"] as? [NSObject])
            for (item, referral) in zip(items, page.referrals) {
                var written = try #require(try Self.normalized(ReferralJSON.encode(referral)) as? [String: Any])
                written["@odata.context"] = nil
                #expect(NSDictionary(dictionary: written) == item as? NSDictionary, "\(referral.externalReferenceId ?? "-")")
            }
        }
    }

    @Test func aListItemThatIsNotAnObjectIsReportedAndThePageGoesOn() throws {
        let body = #"{"value": [{"id": "a", "status": "New", "customerProfile": {"ids": {}}}, 42, "text", {"id": "b", "team": {"x": 1}}], "@odata.nextLink": "n"}"#
        let page = try PartnerClient.decodePage(Array(body.utf8))
        #expect(page.referrals.compactMap(\.id) == ["a", "b"])
        #expect(page.unreadable.count == 2)
        #expect(page.nextLink == "n")
        #expect(throws: PartnerAPIError.self) { try PartnerClient.decodePage(Array(#"{"value": 7}"#.utf8)) }
    }

    @Test func clientRequestIdAndCorrelationIdAreNewOnEveryCallAndMSRequestIdIsTheCallers() async throws {
        try await SandboxClientHarness.with { _, client in
            var seen: [(request: String?, client: String?, correlation: String?)] = []
            for _ in 0..<2 {
                let answer = try await client.call(.GET, url: client.collectionURL, requestId: "one-call", safety: .safe).get()
                seen.append((answer.headers.first(name: "request-id"), answer.headers.first(name: "client-request-id"), answer.headers.first(name: "MS-CorrelationId")))
            }
            #expect(seen.allSatisfy { $0.request == "one-call" })
            #expect(seen[0].client != nil && seen[0].client != seen[1].client && seen[0].client != "one-call")
            #expect(seen[0].correlation != nil && seen[0].correlation != seen[1].correlation)
            #expect(seen[0].correlation != client.configuration.correlationId)
        }
    }

    @Test func everyRequestSaysContentTypeJSONAndGetsFreshIds() {
        let first = PartnerClient.headers(token: "t", requestId: "r", userAgent: "ua", extra: [])
        let second = PartnerClient.headers(token: "t", requestId: "r", userAgent: "ua", extra: [("If-Match", "e")])
        #expect(first["Content-Type"] == ["application/json"])  // a GET too: the docs' examples all send it
        #expect(first["MS-RequestId"] == ["r"] && second["MS-RequestId"] == ["r"])
        #expect(first["client-request-id"] != second["client-request-id"])
        #expect(first["MS-CorrelationId"] != second["MS-CorrelationId"])
        #expect(second["If-Match"] == ["e"])
    }

    @Test func a509IsThrottlingAndRetriedAfterItsRetryAfter() {
        let rules = RetryRules(maxAttempts: 3, policy: RetryPolicy(baseDelay: .milliseconds(1), maxDelay: .milliseconds(1)))
        #expect(rules.decide(.answered(status: 509, retryAfter: .seconds(2)), attempt: 1, safety: .unsafe, tokenRefreshed: false, jitter: 0) == .retry(after: .seconds(2)))
        let error = PartnerAPIError.from(status: 509, body: Array(#"{"statusCode":509,"message":"Bandwidth"}"#.utf8), retryAfter: nil)
        #expect(error.kind == .throttled)
    }

    @Test func documentedErrorCodesDecideTheKindWhateverTheStatus() {
        func kind(_ status: Int, _ code: String) -> PartnerAPIError.Kind {
            PartnerAPIError.from(status: status, body: Array(#"{"error":{"code":"\#(code)","message":"m"}}"#.utf8), retryAfter: nil).kind
        }
        #expect(kind(409, "resourceModified") == .preconditionFailed)
        #expect(kind(400, "resourceModified") == .preconditionFailed)
        #expect(kind(412, "preconditionFailed") == .preconditionFailed)
        #expect(kind(500, "serviceNotAvailable") == .unavailable)
        #expect(kind(400, "itemNotFound") == .notFound)
        #expect(kind(400, "invalidRequest") == .rejected)
    }

    @Test func aDeviceCodeIntervalOf1e300IsBoundedNotACrash() async throws {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configuration.deviceCodeInterval = "1e300"
        var quiet = Logger(label: "sandbox")
        quiet.logLevel = .critical
        let server = try await SandboxServer.start(configuration, logger: quiet)
        let waits = WaitLog()
        let login = DeviceCodeLogin(
            deviceCodeURL: server.deviceCodeURL, tokenURL: server.tokenURL, clientId: "refbridge-test", sleep: { waits.add($0) })
        let file = NSTemporaryDirectory() + "refbridge-interval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await login.run(refreshTokenFile: file, show: { _ in })
        #expect(waits.all.allSatisfy { $0 == .seconds(60) }, "\(waits.all)")
        #expect(FileManager.default.fileExists(atPath: file))
        await server.shutdown()
    }

    final class WaitLog: @unchecked Sendable {
        private let lock = NSLock()
        private var waits: [Duration] = []
        func add(_ wait: Duration) { lock.withLock { waits.append(wait) } }
        var all: [Duration] { lock.withLock { waits } }
    }
}
