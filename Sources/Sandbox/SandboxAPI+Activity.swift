import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Referrals

/// The sandbox playing Microsoft (issue #13): admin routes, outside the API (no token, no faults,
/// like the dump), that move referrals as a seller would and inject incoming referrals.
///
/// - `POST /_sandbox/referrals/{id}/{accept|decline|win|lose|expire}`: one move; 400 when the move
///   does not apply to the referral's state, 404 for an unknown id.
/// - `POST /_sandbox/incoming` (`?count=N`, default 1): new incoming referrals, `New/Pending`,
///   invited by Microsoft; a JSON referral body is injected as given (the server sets id, dates,
///   direction, status and eTag).
/// - `POST /_sandbox/activity` with an `ActivityPlan` as JSON: random moves and incoming referrals.
extension SandboxAPI {
    func addActivityRoutes(_ router: Router<SandboxContext>) {
        router.post("/_sandbox/referrals/{id}/{action}") { _, context in
            let id = context.parameters.get("id") ?? ""
            let name = context.parameters.get("action") ?? ""
            do {
                guard let action = SellerAction(rawValue: name) else {
                    throw SandboxError.invalidRequest(
                        "unknown move '\(name)': use \(SellerAction.allCases.map(\.rawValue).joined(separator: ", "))", target: "action")
                }
                let moved = try await self.move(id: id, action: action)
                return self.referralResponse(moved, status: .ok)
            } catch let error as SandboxError {
                return error.response()
            }
        }
        router.post("/_sandbox/incoming") { request, _ in
            do {
                let pairs = Self.queryPairs(request.uri.query)
                let countText = pairs.first { $0.0 == "count" }?.1 ?? "1"
                guard let count = Int(countText), (1...10_000).contains(count) else {
                    throw SandboxError.invalidRequest("count must be a whole number from 1 to 10000; got '\(countText)'", target: "count")
                }
                let data = try await self.body(request)
                let given = data.isEmpty ? nil : try self.decodeReferral(data)
                var injected: [Referral] = []
                for _ in 0..<count { injected.append(await self.injectIncoming(given)) }
                return Self.jsonList(injected)
            } catch let error as SandboxError {
                return error.response()
            }
        }
        router.post("/_sandbox/activity") { request, _ in
            do {
                let data = try await self.body(request)
                let plan: ActivityPlan
                do {
                    plan = data.isEmpty ? ActivityPlan(moves: 1) : try JSONDecoder().decode(ActivityPlan.self, from: data)
                } catch {
                    throw SandboxError.invalidRequest("the body must be a JSON object of counts: moves, accept, decline, win, lose, expire, incoming", target: "body")
                }
                guard plan.isSane else { throw SandboxError.invalidRequest("every count must be from 0 to 1000000", target: "body") }
                let report = await self.simulate(plan)
                let body = (try? JSONEncoder().encode(report)) ?? Data("{}".utf8)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
            } catch let error as SandboxError {
                return error.response()
            }
        }
    }

    static func jsonList(_ referrals: [Referral]) -> Response {
        var bytes: [UInt8] = Array(#"{"value":["#.utf8)
        for (index, referral) in referrals.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: ReferralJSON.encode(referral))
        }
        bytes.append(contentsOf: Array("]}".utf8))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// One move, as a seller makes it: the status table decides, the store stamps the time.
    func move(id: String, action: SellerAction) async throws -> Referral {
        // Another write may land between the read and the replace: read again and retry.
        for _ in 0..<100 {
            guard let stored = await store.referral(id: id) else { throw SandboxError.notFound(id) }
            guard action.applies(to: stored) else {
                throw SandboxError.invalidRequest(
                    "cannot \(action.rawValue) a referral that is \(stored.status?.rawValue ?? "None")/\(stored.substatus?.rawValue ?? "None")", target: "action")
            }
            var updated = stored
            let (status, substatus) = action.target
            let wasClosed = stored.status == .closed
            updated.status = status
            updated.substatus = substatus
            updated.statusReason = action == .lose ? "Lost to a competitor (simulated)" : (action == .decline ? "Not a fit (simulated)" : stored.statusReason)
            updated.eTag = Self.newETag()
            if let replaced = await store.replace(updated, expectedETag: stored.eTag, stamp: { referral, now in
                referral.updatedDateTime = now
                if status == .closed, !wasClosed { referral.closedDateTime = now }
                if status == .active, referral.acceptedDateTime == nil { referral.acceptedDateTime = now }
            }) {
                return replaced
            }
        }
        throw SandboxError.changedMeanwhile
    }

    /// A referral Microsoft sends us: `Incoming`, `New/Pending`, invited by `msft`. `given` (from the
    /// admin endpoint) supplies the customer and details; otherwise they are made up from the seed.
    func injectIncoming(_ given: Referral?) async -> Referral {
        var referral = given ?? makeIncoming()
        referral.id = UUID().uuidString.lowercased()
        referral.engagementId = referral.engagementId ?? UUID().uuidString.lowercased()
        referral.organizationId = configuration.organizationId
        referral.organizationName = configuration.organizationName
        referral.direction = .incoming
        referral.status = .new
        referral.substatus = .pending
        referral.type = referral.type ?? .independent
        referral.qualification = referral.qualification ?? .salesQualified
        if referral.inviteContext?.invitedBy == nil {
            var context = referral.inviteContext ?? InviteContext()
            context.invitedBy = InvitedBy(organizationId: "msft", organizationName: "Microsoft")
            referral.inviteContext = context
        }
        referral.createdDateTime = nil
        referral.updatedDateTime = nil
        referral.acceptedDateTime = nil
        referral.closedDateTime = nil
        referral.eTag = Self.newETag()
        referral.links = links(id: referral.id ?? "", engagementId: referral.engagementId ?? "")
        Self.giveAnswerShape(&referral)
        let expireAfter = configuration.expireAfter.flatMap { $0.isFinite && $0 >= 0 ? min($0, Self.longestExpiry) : nil }
        let (stored, _) = await store.insert(referral, requestId: nil, reuseRequestId: false) { referral, now in
            referral.createdDateTime = now
            referral.updatedDateTime = now
            if let seconds = expireAfter {
                referral.expirationDateTime = APIDateTime(now.date.addingTimeInterval(seconds))
                referral.additionalFields["expirationDateTime"] = nil
            }
        }
        return stored
    }

    private func makeIncoming() -> Referral {
        let (number, value) = activityRandom.withLock { random in (random.next() % 100_000, 1000 * (1 + random.next() % 500)) }
        let cities = [("Seattle", "WA", "US"), ("Toronto", "ON", "CA"), ("London", "", "GB"), ("Munich", "BY", "DE"), ("Sydney", "NSW", "AU")]
        let (city, state, country) = cities[Int(number) % cities.count]
        return Referral(
            name: "Microsoft lead \(number)",
            qualification: .salesQualified,
            customerProfile: CustomerProfile(
                name: "Customer \(number)", address: Address(addressLine1: "\(number % 900 + 1) Main Street", city: city, state: state.isEmpty ? nil : state, country: country),
                team: [Member(firstName: "Alex", lastName: "Buyer \(number)", phoneNumber: "+1 555 01\(number % 100)", email: "alex.buyer\(number)@example.com")]),
            consent: Consent(consentToToShareInfoWithOthers: true, consentToContact: true),
            details: ReferralDetails(notes: "Customer asked for a partner (simulated incoming referral).", dealValue: Double(value), currency: "USD"),
            inviteContext: InviteContext(notes: "Please contact the customer this week."))
    }

    /// A batch of random moves and incoming referrals. Connected referrals for Microsoft (target
    /// `msft`) are Microsoft's own side of a co-sell and are left alone.
    func simulate(_ plan: ActivityPlan) async -> ActivityReport {
        var report = ActivityReport()
        var used: Set<String> = []
        var all = await store.referrals.filter { referral in
            !(referral.target ?? []).contains { $0.id == "msft" } && referral.id != nil
        }
        // One seeded shuffle, then picks in that order: linear in the store, whatever the plan asks.
        activityRandom.withLock { random in
            for index in all.indices.reversed() where index > 0 {
                all.swapAt(index, Int(random.next() % UInt64(index + 1)))
            }
        }
        func apply(_ action: SellerAction, to referral: Referral) async {
            guard let id = referral.id else { return }
            used.insert(id)
            let from = "\(referral.status?.rawValue ?? "None")/\(referral.substatus?.rawValue ?? "None")"
            guard let moved = try? await move(id: id, action: action) else { return }
            report.moved.append(.init(id: id, action: action, from: from, to: "\(moved.status?.rawValue ?? "")/\(moved.substatus?.rawValue ?? "")", updatedDateTime: moved.updatedDateTime?.text ?? ""))
        }
        let counted: [(SellerAction, Int)] = [(.accept, plan.accept), (.decline, plan.decline), (.win, plan.win), (.lose, plan.lose), (.expire, plan.expire)]
        for (action, count) in counted where count > 0 {
            var done = 0
            for referral in all where done < count && !used.contains(referral.id ?? "") && action.applies(to: referral) {
                await apply(action, to: referral)
                done += 1
            }
        }
        var moves = 0
        for referral in all where moves < plan.moves && !used.contains(referral.id ?? "") {
            let actions = SellerAction.allCases.filter { $0.applies(to: referral) }
            guard !actions.isEmpty else { continue }
            let action = actions[activityRandom.withLock { Int($0.next() % UInt64(actions.count)) }]
            await apply(action, to: referral)
            moves += 1
        }
        for _ in 0..<plan.incoming {
            let referral = await injectIncoming(nil)
            report.incoming.append(referral.id ?? "")
        }
        return report
    }
}
