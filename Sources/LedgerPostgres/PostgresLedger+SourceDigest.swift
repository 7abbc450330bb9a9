public import Ledger
import PostgresNIO

extension PostgresLedger {
    /// See `LedgerDatabase.recordSourceDigests`: one statement for the whole batch, the notes as
    /// three parallel arrays.
    public func recordSourceDigests(system: String, notes: [SourceDigestNote]) async throws {
        guard !notes.isEmpty else { return }
        let ids = notes.map(\.externalId)
        let digests = notes.map(\.sourceDigest)
        let outcomes = notes.map(\.mapsTo)
        try await client.query(
            """
            UPDATE entry SET "sourceDigest" = n.digest, "sourceMapsTo" = n.outcome
            FROM unnest(\(ids)::text[], \(digests)::text[], \(outcomes)::text[]) AS n(id, digest, outcome)
            WHERE entry."system" = \(system) AND entry."externalId" = n.id
            """, logger: logger)
    }
}
