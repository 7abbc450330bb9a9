import Foundation
public import Referrals

/// What a Microsoft seller (or the system) does to a referral, so that `refbridge pull` can be
/// tested end to end: each move follows the status table (partner-api.md §3.1) and, like any
/// write, gives the referral a new `updatedDateTime` and a new eTag.
public enum SellerAction: String, Sendable, CaseIterable, Codable {
    /// New → Active/Accepted.
    case accept
    /// New or Active → Closed/Declined.
    case decline
    /// Active (or Closed/Lost: the deal came back) → Closed/Won.
    case win
    /// Active → Closed/Lost.
    case lose
    /// New or Active → Closed/Expired, as the service archives referrals nobody answered.
    case expire

    public var target: (status: ReferralStatus, substatus: ReferralSubstatus) {
        switch self {
        case .accept: (.active, .accepted)
        case .decline: (.closed, .declined)
        case .win: (.closed, .won)
        case .lose: (.closed, .lost)
        case .expire: (.closed, .expired)
        }
    }

    /// Whether a seller would make this move from the referral's state; every allowed move is also
    /// one the status table allows.
    public func applies(to referral: Referral) -> Bool {
        let status = referral.status ?? .none
        let allowed: Bool =
            switch self {
            case .accept: status == .new
            case .decline, .expire: status == .new || status == .active
            case .win: status == .active || (status == .closed && referral.substatus == .lost)
            case .lose: status == .active
            }
        return allowed && StatusRules.canMove(from: (status, referral.substatus), to: target)
    }
}

/// A batch of simulated activity: so many moves of each kind (on referrals picked at random among
/// those the move applies to), `moves` more of any kind that applies, and `incoming` new incoming
/// referrals. Random picks come from the sandbox's seed, so a soak run repeats.
public struct ActivityPlan: Sendable, Hashable, Codable {
    public var moves = 0
    public var accept = 0
    public var decline = 0
    public var win = 0
    public var lose = 0
    public var expire = 0
    public var incoming = 0

    public init(moves: Int = 0, accept: Int = 0, decline: Int = 0, win: Int = 0, lose: Int = 0, expire: Int = 0, incoming: Int = 0) {
        self.moves = moves
        self.accept = accept
        self.decline = decline
        self.win = win
        self.lose = lose
        self.expire = expire
        self.incoming = incoming
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func count(_ key: CodingKeys) throws -> Int { try c.decodeIfPresent(Int.self, forKey: key) ?? 0 }
        self.init(
            moves: try count(.moves), accept: try count(.accept), decline: try count(.decline), win: try count(.win), lose: try count(.lose),
            expire: try count(.expire), incoming: try count(.incoming))
    }

    /// `moves=5,win=2,incoming=1` (the command's `--activity`); nil if not of that form.
    public static func parse(_ text: String) -> ActivityPlan? {
        var plan = ActivityPlan()
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard pair.count == 2, let count = Int(pair[1]), (0...1_000_000).contains(count) else { return nil }
            switch pair[0] {
            case "moves": plan.moves = count
            case "accept": plan.accept = count
            case "decline": plan.decline = count
            case "win": plan.win = count
            case "lose": plan.lose = count
            case "expire": plan.expire = count
            case "incoming": plan.incoming = count
            default: return nil
            }
        }
        return plan
    }

    /// Every count within 0…1,000,000 (a plan from the admin endpoint is outside data).
    var isSane: Bool {
        [moves, accept, decline, win, lose, expire, incoming].allSatisfy { (0...1_000_000).contains($0) }
    }
}

/// What a batch of activity did.
public struct ActivityReport: Sendable, Hashable, Codable {
    public struct Move: Sendable, Hashable, Codable {
        public var id: String
        public var action: SellerAction
        public var from: String
        public var to: String
        public var updatedDateTime: String
    }

    public var moved: [Move] = []
    /// Ids of the incoming referrals injected.
    public var incoming: [String] = []
}
