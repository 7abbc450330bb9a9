/// The contract's status life cycle (partner-api.md §3.1).
///
/// | from   | may move to           | substatus with that status       |
/// |--------|-----------------------|----------------------------------|
/// | New    | New, Active, Closed   | Pending, Received                |
/// | Active | Active, Closed        | Accepted                         |
/// | Closed | Closed (terminal)     | Won, Lost, Declined, Expired     |
///
/// "Terminal" means a Closed referral never leaves Closed; the table's own row allows Closed →
/// Closed with any of its substatuses (e.g. Lost → Won when the deal came back), and the docs
/// restrict nothing else, so neither does the sandbox.
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

    /// Whether an update may move a referral from `from` to `to`. `Closed` only to `Closed`.
    public static func canTransition(from: ReferralStatus, to: ReferralStatus) -> Bool {
        switch from {
        case .new: [.new, .active, .closed].contains(to)
        case .active: [.active, .closed].contains(to)
        case .closed: to == .closed
        default: false
        }
    }

    /// Whether an update may move a referral from one (status, substatus) to another: the status
    /// may make the move and the substatus goes with the new status. Closed/Lost → Closed/Won is
    /// allowed; Closed/Won → Active/Accepted is not.
    public static func canMove(
        from: (status: ReferralStatus, substatus: ReferralSubstatus?), to: (status: ReferralStatus, substatus: ReferralSubstatus)
    ) -> Bool {
        canTransition(from: from.status, to: to.status) && isAllowed(status: to.status, substatus: to.substatus)
    }
}
