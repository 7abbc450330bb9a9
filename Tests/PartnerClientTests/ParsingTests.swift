import Foundation
import Referrals
import Testing
@testable import PartnerClient

struct TokenResponseTests {
    @Test func readsNumbersWrittenAsStringsAsAzureADv1Does() throws {
        let fields = try JSONDecoder().decode([String: JSONValue].self, from: Data(#"{"token_type":"Bearer","expires_in":"3600","ext_expires_in":"3600","expires_on":"1700003600","not_before":"1700000000","resource":"https://api.partner.microsoft.com","access_token":"at","refresh_token":"rt"}"#.utf8))
        let response = try TokenResponse(fields: fields)
        #expect(response.accessToken == "at")
        #expect(response.refreshToken == "rt")
        #expect(response.expiresIn == 3600)
        #expect(response.expiresOn == Date(timeIntervalSince1970: 1_700_003_600))
        #expect(response.expiry(issued: Date(timeIntervalSince1970: 10)) == Date(timeIntervalSince1970: 3610))
    }

    @Test func readsNumbersAndFallsBackToExpiresOnThenAnHour() throws {
        let numbers = try TokenResponse(fields: ["access_token": .string("at"), "expires_in": .number(60)])
        #expect(numbers.expiresIn == 60)
        let absolute = try TokenResponse(fields: ["access_token": .string("at"), "expires_on": .number(500)])
        #expect(absolute.expiry(issued: Date(timeIntervalSince1970: 0)) == Date(timeIntervalSince1970: 500))
        let bare = try TokenResponse(fields: ["access_token": .string("at")])
        #expect(bare.expiry(issued: Date(timeIntervalSince1970: 0)) == Date(timeIntervalSince1970: 3600))
    }

    @Test func anAnswerWithoutAnAccessTokenIsAnAuthError() {
        #expect(throws: PartnerAPIError.self) { try TokenResponse(fields: ["token_type": .string("Bearer")]) }
    }

    @Test func theFormIsPercentEncoded() {
        #expect(TokenEndpoint.encode([("password", "p&s=s w+ö"), ("scope", "openid")]) == "password=p%26s%3Ds%20w%2B%C3%B6&scope=openid")
    }
}

struct RetryAfterTests {
    @Test func readsSecondsAndDates() {
        #expect(RetryAfter.parse("120") == .seconds(120))
        #expect(RetryAfter.parse(" 1.5 ") == .milliseconds(1500))
        #expect(RetryAfter.parse(nil) == nil)
        #expect(RetryAfter.parse("soon") == nil)
        #expect(RetryAfter.parse("-3") == nil)
        let now = Date(timeIntervalSince1970: 1_445_412_470)  // Wed, 21 Oct 2015 07:27:50 GMT
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == .zero)
    }
}

struct NextLinkTests {
    let page = "https://api.partner.microsoft.com/v1.0/engagements/referrals?$orderby=createdDateTime%20desc"
    let base = "https://api.partner.microsoft.com/v1.0"

    @Test func anAbsoluteLinkIsFollowedAsGiven() throws {
        let link = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=abc%3D%3D"
        #expect(try PartnerClient.resolve(nextLink: link, against: page, base: base) == link)
    }

    @Test func theDocumentedPlainHTTPLinkIsUpgradedToHTTPS() throws {
        #expect(try PartnerClient.resolve(nextLink: "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=x", against: page, base: base)
            == "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=x")
    }

    @Test func aRelativeLinkIsResolvedAgainstThePage() throws {
        #expect(try PartnerClient.resolve(nextLink: "/v1.0/engagements/referrals?$skiptoken=x", against: page, base: base)
            == "https://api.partner.microsoft.com/v1.0/engagements/referrals?$skiptoken=x")
        #expect(try PartnerClient.resolve(nextLink: "referrals?$skiptoken=y", against: page, base: base)
            == "https://api.partner.microsoft.com/v1.0/engagements/referrals?$skiptoken=y")
    }

    @Test func aLinkToAnotherHostOrPortIsRefused() {
        #expect(throws: PartnerAPIError.self) {
            try PartnerClient.resolve(nextLink: "https://evil.example/v1.0/referrals?$skiptoken=x", against: page, base: base)
        }
        #expect(throws: PartnerAPIError.self) {
            try PartnerClient.resolve(nextLink: "http://127.0.0.1:9/v1.0/x", against: "http://127.0.0.1:8089/v1.0/engagements/referrals", base: "http://127.0.0.1:8089/v1.0")
        }
    }

    @Test func loopbackNamesAreOneHost() throws {
        #expect(try PartnerClient.resolve(nextLink: "http://127.0.0.1:8089/v1.0/engagements/referrals?$skiptoken=x", against: "http://localhost:8089/v1.0/engagements/referrals", base: "http://localhost:8089/v1.0")
            == "http://127.0.0.1:8089/v1.0/engagements/referrals?$skiptoken=x")
    }

    @Test func logsShowThePathWithoutTheQuery() {
        #expect(PartnerClient.logPath("https://h/v1.0/engagements/referrals?$filter=team/any(t:t/email eq 'a@b.c')") == "/v1.0/engagements/referrals")
    }
}
