/// A CRM record as the ledger knows it: ids are unique per source system, not across systems.
public struct RecordKey: Hashable, Sendable, CustomStringConvertible {
    /// The mapping's `system:` (or its name).
    public var system: String
    /// The CRM record id, sent as `externalReferenceId`.
    public var externalId: String

    public init(system: String, externalId: String) {
        self.system = system
        self.externalId = externalId
    }

    public var description: String { "\(system)/\(externalId)" }
}
