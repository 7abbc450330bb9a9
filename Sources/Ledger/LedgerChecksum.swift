public import Foundation

/// Counts and a checksum of a ledger's entries and runs, the same whatever the store: what
/// `ledger migrate` compares between source and target. Every field of every row is read, in key
/// order, as canonical text (dates to the millisecond, the SQLite ledger's precision), and folded
/// into a 64-bit FNV-1a hash: enough to tell two ledgers apart, not a security measure.
public struct LedgerChecksum: Sendable, Hashable, CustomStringConvertible {
    public var entries = 0
    public var runs = 0
    public var checksum: UInt64 = 0xcbf2_9ce4_8422_2325

    public var description: String {
        "\(entries) entries, \(runs) runs, checksum \(String(checksum, radix: 16))"
    }

    public static func of(_ ledger: any MappingLedger) async throws -> LedgerChecksum {
        var sum = LedgerChecksum()
        for run in try await ledger.allRuns() {
            sum.runs += 1
            sum.add([
                "run", run.id.map(String.init), run.mode, run.configDigest, millis(run.startedAt), millis(run.finishedAt),
                run.exitCode.map(String.init), run.aborted ? "1" : "0", run.countsJSON,
            ])
        }
        try await ledger.forEachEntry(pageSize: 5_000) { page in
            for e in page {
                sum.entries += 1
                sum.add([
                    e.system, e.externalId, e.state.rawValue, e.referralId, e.engagementId, e.needsConnected ? "1" : "0",
                    e.connectedReferralId, e.connectedRequestId, millis(e.connectedPendingSince), e.eTag, e.status, e.substatus,
                    e.payloadHash, e.requestId, millis(e.pendingSince), String(e.attempts), e.lastError, e.sourceLocation,
                    e.firstRunId.map(String.init), e.lastRunId.map(String.init), millis(e.createdAt), millis(e.updatedAt),
                    e.sourceDigest, e.sourceMapsTo,
                ])
            }
        }
        return sum
    }

    /// Milliseconds since 1970, rounded: SQLite keeps dates to the millisecond.
    public static func millis(_ date: Date?) -> String? {
        date.map { String(Int64(($0.timeIntervalSince1970 * 1000).rounded())) }
    }

    /// Each field with its length (a nil apart from an empty text), then a row end.
    private mutating func add(_ fields: [String?]) {
        for field in fields {
            if let field {
                fold(Array("\(field.utf8.count):".utf8))
                fold(Array(field.utf8))
            } else {
                fold([0xff])
            }
        }
        fold([0x0a])
    }

    private mutating func fold(_ bytes: [UInt8]) {
        for byte in bytes {
            checksum ^= UInt64(byte)
            checksum &*= 0x100_0000_01b3
        }
    }
}
