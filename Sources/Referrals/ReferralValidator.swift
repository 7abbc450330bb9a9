/// The contract's rules for a referral. Interim: required objects only; the full rule set lands with issue 2.
struct ReferralValidator {
    var purpose: ValidationPurpose

    func issues(of referral: Referral) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if referral.type == nil { issues.append(.init(path: "type", message: "is required: set Independent or Shared")) }
        if referral.customerProfile == nil { issues.append(.init(path: "customerProfile", message: "is required")) }
        if referral.consent == nil { issues.append(.init(path: "consent", message: "is required")) }
        if referral.details == nil { issues.append(.init(path: "details", message: "is required")) }
        return issues
    }
}
