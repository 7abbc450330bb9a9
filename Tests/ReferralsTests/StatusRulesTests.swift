import Testing

@testable import Referrals

/// §3.1's table, cell by cell, and what the validator makes of it.
@Suite struct StatusRulesTests {
    static let statuses: [ReferralStatus] = ReferralStatus.documented + ["Archived"]
    static let substatuses: [ReferralSubstatus] = ReferralSubstatus.documented + ["Frozen"]

    /// The contract's table, written out independently of `StatusRules`.
    static let table: [ReferralStatus: Set<ReferralSubstatus>] = [
        .new: [.pending, .received], .active: [.accepted], .closed: [.won, .lost, .declined, .expired],
    ]
    static let next: [ReferralStatus: Set<ReferralStatus>] = [
        .new: [.new, .active, .closed], .active: [.active, .closed], .closed: [.closed],
    ]

    @Test(arguments: statuses, substatuses)
    func everyStatusSubstatusPair(status: ReferralStatus, substatus: ReferralSubstatus) {
        let allowed = Self.table[status]?.contains(substatus) ?? false
        #expect(StatusRules.isAllowed(status: status, substatus: substatus) == allowed)
        #expect(StatusRules.substatuses(for: status).contains(substatus) == allowed)
        var referral = ValidationTests.valid()
        referral.status = status
        referral.substatus = substatus
        let issues = referral.validationIssues(for: .create)
        // An undocumented value is reported as such, not as a wrong pair.
        let pairChecked = status.isDocumented && substatus.isDocumented && status != .none
        #expect(issues.contains { $0.path == "substatus" && $0.message.contains("does not go with") } == (pairChecked && !allowed))
    }

    @Test(arguments: statuses, statuses)
    func everyTransition(from: ReferralStatus, to: ReferralStatus) {
        let allowed = Self.next[from]?.contains(to) ?? false
        #expect(StatusRules.canTransition(from: from, to: to) == allowed)
        var referral = ValidationTests.valid()
        referral.status = to
        referral.substatus = StatusRules.substatuses(for: to).first
        let messages = referral.validationIssues(for: .update(from: from)).filter { $0.path == "status" }.map(\.message)
        if from.isDocumented && to.isDocumented {
            #expect(messages.contains { $0.hasPrefix("cannot move from") } == !allowed)
        } else {
            // Unknown statuses on either side: the enum rule speaks, not the table.
            #expect(!messages.contains { $0.hasPrefix("cannot move from") })
        }
    }

    @Test func substatusListsFollowTheContractOrder() {
        #expect(StatusRules.substatuses(for: .new) == [.pending, .received])
        #expect(StatusRules.substatuses(for: .active) == [.accepted])
        #expect(StatusRules.substatuses(for: .closed) == [.won, .lost, .declined, .expired])
        #expect(StatusRules.substatuses(for: .none).isEmpty)
        #expect(StatusRules.substatuses(for: "Archived").isEmpty)
    }

    /// Issue #12 item 7: the table allows Closed → Closed with Won, Lost, Declined or Expired.
    @Test func aClosedReferralMovesBetweenClosedSubstatusesButNeverLeavesClosed() {
        var referral = ValidationTests.valid()
        for substatus in [ReferralSubstatus.won, .lost, .declined, .expired] {
            referral.status = .closed
            referral.substatus = substatus
            #expect(referral.documentedViolations(for: .update(from: .closed)).isEmpty, "\(substatus)")
        }
        referral.status = .active
        referral.substatus = .accepted
        #expect(referral.documentedViolations(for: .update(from: .closed)).map(\.path) == ["status"])
        #expect(StatusRules.canMove(from: (.closed, .lost), to: (.closed, .won)))
        #expect(!StatusRules.canMove(from: (.closed, .won), to: (.active, .accepted)))
        #expect(!StatusRules.canMove(from: (.closed, .won), to: (.closed, .accepted)))
    }

    @Test func statusWithoutSubstatusIsFineOnCreateButNotOnUpdate() {
        var referral = ValidationTests.valid()
        referral.substatus = nil
        #expect(referral.validationIssues(for: .create).isEmpty)
        let issues = referral.validationIssues(for: .update(from: .new))
        #expect(issues == [ValidationIssue(path: "substatus", message: "is required with status New: use Pending or Received", rule: .substatusWithStatus)])
        #expect(issues.first?.severity == .warning)  // refbridge's rule, not the docs
        #expect(referral.validationIssues(for: .update(from: nil)).map(\.path) == ["substatus"])
    }

    @Test func noneIsNotAStatusToGive() {
        var referral = ValidationTests.valid()
        referral.status = ReferralStatus.none
        referral.substatus = nil
        #expect(referral.validationIssues(for: .create).map(\.path) == ["status"])
        referral.status = .new
        referral.substatus = ReferralSubstatus.none
        #expect(referral.validationIssues(for: .create).first?.message == "None does not go with status New: use Pending or Received")
    }

    @Test func movesOutOfNoneAreRefusedAsTheTableHasNoRow() {
        var referral = ValidationTests.valid()
        referral.status = .new
        let issue = referral.validationIssues(for: .update(from: ReferralStatus.none)).first
        #expect(issue?.message == "cannot move from None to New: None may become nothing (it is not in the contract's table)")
    }
}
