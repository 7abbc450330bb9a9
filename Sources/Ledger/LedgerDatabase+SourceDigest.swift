import GRDB

/// What one record's source content mapped to (issues #9 and #16): noted so that the next run
/// settles the record from the ledger without mapping it again while its content stays the same.
public struct SourceDigestNote: Sendable, Hashable {
    public var externalId: String
    /// `SourceDigest.hex` of the content.
    public var sourceDigest: String
    /// What it mapped to: the payload hash, or a rejection's mark (see `PlanningEntry.sourceMapsTo`).
    public var mapsTo: String

    public init(externalId: String, sourceDigest: String, mapsTo: String) {
        self.externalId = externalId
        self.sourceDigest = sourceDigest
        self.mapsTo = mapsTo
    }
}

extension LedgerDatabase {
    /// Notes digests on existing entries, in one transaction; an id the ledger does not hold is
    /// left alone. Only these two columns change: the notes say what some content maps to, which
    /// stays true whatever happens to the record, so a note written late or lost is never wrong
    /// (a lost one costs the next run one mapping).
    public func recordSourceDigests(system: String, notes: [SourceDigestNote]) async throws {
        guard !notes.isEmpty else { return }
        try await writer.write { db in
            let statement = try db.cachedStatement(sql: "UPDATE entry SET sourceDigest = ?, sourceMapsTo = ? WHERE system = ? AND externalId = ?")
            for note in notes {
                try statement.execute(arguments: [note.sourceDigest, note.mapsTo, system, note.externalId])
            }
        }
    }
}
