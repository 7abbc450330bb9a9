public import Referrals

/// The simulated Microsoft seller, for tests and the in-process demo (see `SandboxAPI+Activity`).
extension SandboxServer {
    /// Moves one referral as a seller would; throws when the move does not apply to its state.
    @discardableResult
    public func move(id: String, _ action: SellerAction) async throws -> Referral {
        try await api.move(id: id, action: action)
    }

    /// Injects one incoming referral (made up from the seed, or `given`'s customer and details).
    @discardableResult
    public func injectIncoming(_ given: Referral? = nil) async -> Referral {
        await api.injectIncoming(given)
    }

    /// Random moves and incoming referrals, picked with the sandbox's seed.
    @discardableResult
    public func simulate(_ plan: ActivityPlan) async -> ActivityReport {
        await api.simulate(plan)
    }
}
