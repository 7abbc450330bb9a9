/// The contract's status life cycle (partner-api.md §3.1).
///
/// | from   | may move to           | substatus with that status       |
/// |--------|-----------------------|----------------------------------|
/// | New    | New, Active, Closed   | Pending, Received                |
/// | Active | Active, Closed        | Accepted                         |
/// | Closed | Closed (terminal)     | Won, Lost, Declined, Expired     |
public enum StatusRules {
    /// The substatuses allowed with `status`; empty for `None` and unknown statuses.
    public static func substatuses(for status: ReferralStatus) -> [ReferralSubstatus] {
        switch status {
        case .new: [.pending, .received]
        case .active: [.accepted]
        case .closed: [.won, .lost, .declined, .expired]
        default: []
        }
    }

    public static func isAllowed(status: ReferralStatus, substatus: ReferralSubstatus) -> Bool {
        substatuses(for: status).contains(substatus)
    }

    /// Whether an update may move a referral from `from` to `to`. `Closed` is terminal.
    public static func canTransition(from: ReferralStatus, to: ReferralStatus) -> Bool {
        switch from {
        case .new: [.new, .active, .closed].contains(to)
        case .active: [.active, .closed].contains(to)
        case .closed: to == .closed
        default: false
        }
    }
}
