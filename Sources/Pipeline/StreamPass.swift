public import Ledger

/// Which records a pass over the stream yields, on a ledger shared by several workers: a run takes
/// its own share first (`own`), then goes over the rest (`others`). The two passes read the same
/// files and yield every record once between them: a record's id decides its pass, so a repeated
/// id meets its first occurrence in the same pass (and is rejected there as a duplicate).
public enum StreamPass: Sendable, Hashable {
    /// The records `share` owns, and every record without an id (refused by the reader, or with no
    /// id to map): their rejects are reported in the first pass.
    case own(WorkShare)
    /// The records `share` does not own.
    case others(WorkShare)

    func includes(system: String, externalId: String?) -> Bool {
        switch self {
        case .own(let share):
            guard let externalId else { return true }
            return share.owns(system: system, externalId: externalId)
        case .others(let share):
            guard let externalId else { return false }
            return !share.owns(system: system, externalId: externalId)
        }
    }
}
