import Testing
@testable import PartnerClient

struct PartnerAPIErrorTests {
    func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func readsTheDocumentedBodyAndTheDeepestInnerCode() {
        let error = PartnerAPIError.from(
            status: 400,
            body: body(#"{"error":{"code":"invalidRequest","message":"details.currency must be ISO 4217","target":"details.currency","innerError":{"code":"validation","innerError":{"code":"currencyCode","message":"inner"}}}}"#),
            retryAfter: nil)
        #expect(error.kind == .rejected)
        #expect(error.status == 400)
        #expect(error.code == "currencyCode")
        #expect(error.message == "details.currency must be ISO 4217")
        #expect(error.target == "details.currency")
        #expect(error.description == "rejected (HTTP 400, currencyCode, target details.currency): details.currency must be ISO 4217")
        #expect(error.shortDescription == "rejected 400")
    }

    @Test func readsTheThrottlingGuidanceBody() {
        let error = PartnerAPIError.from(status: 429, body: body(#"{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds." }"#), retryAfter: .seconds(57))
        #expect(error.kind == .throttled)
        #expect(error.message == "Rate limit is exceeded. Try again in 57 seconds.")
        #expect(error.retryAfter == .seconds(57))
    }

    @Test func quotesAnyOtherBodyShortened() {
        let error = PartnerAPIError.from(status: 502, body: body("<html>Bad Gateway</html>" + String(repeating: "x", count: 2000)), retryAfter: nil)
        #expect(error.kind == .serverError)
        #expect(error.message.hasPrefix("HTTP 502: <html>Bad Gateway</html>xx"))
        #expect(error.message.count == "HTTP 502: ".count + 300)
        #expect(PartnerAPIError.from(status: 500, body: [], retryAfter: nil).message == "HTTP 500")
    }

    @Test func keepsTheMessageWithinTheDocumentedLength() {
        let long = String(repeating: "é", count: 3000)
        let error = PartnerAPIError.from(status: 400, body: body(#"{"error":{"code":"invalidRequest","message":"\#(long)"}}"#), retryAfter: nil)
        #expect(error.message.count == 1024)
    }

    @Test(arguments: [
        (400, "rejected"), (401, "unauthorized"), (403, "forbidden"), (404, "notFound"), (408, "timeout"), (409, "rejected"),
        (412, "preconditionFailed"), (413, "rejected"), (422, "rejected"), (429, "throttled"), (500, "serverError"),
        (502, "serverError"), (503, "unavailable"), (504, "serverError"),
    ])
    func statusMeansKind(status: Int, kind: String) {
        #expect(PartnerAPIError.kind(forStatus: status).description == kind)
    }

    @Test func kindsMatchInASwitchAsCallersWriteIt() {
        func aborts(_ kind: PartnerAPIError.Kind) -> Bool {
            switch kind {
            case .unauthorized, .forbidden, .auth, .network: true
            default: false
            }
        }
        #expect(aborts(.forbidden))
        #expect(!aborts(.rejected))
        #expect(PartnerAPIError(kind: .unavailable, message: "down").suggestsAbort)
        #expect(!PartnerAPIError(kind: .preconditionFailed, message: "stale").suggestsAbort)
    }

    @Test func onlyConnectFailuresCountAsNeverSent() {
        #expect(PartnerAPIError(kind: .network, code: "connectFailed", message: "").neverSent)
        #expect(PartnerAPIError(kind: .network, code: "connectTimeout", message: "").neverSent)
        #expect(!PartnerAPIError(kind: .network, code: "connectionClosed", message: "").neverSent)
        #expect(!PartnerAPIError(kind: .timeout, code: "connectFailed", message: "").neverSent)
    }
}
