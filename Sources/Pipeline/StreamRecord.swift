public import Importers
public import Ledger
public import Mapping
public import Referrals

/// One input record after reading, mapping, duplicate detection and encoding: what `preview`
/// prints, what the dry run plans and what `sync` uploads. Every record of every input file
/// becomes exactly one of these, in input order.
public struct StreamRecord: Sendable {
    public enum Outcome: Sendable {
        /// A valid referral, encoded as it would be POSTed.
        case mapped(EncodedReferral)
        /// Left out by a `skip:` rule of the mapping.
        case skipped(reason: String)
        /// The reader or the mapping refused it, or its id was seen before (`isDuplicate`).
        case rejected(issues: [MappingIssue], isDuplicate: Bool)
        /// Not mapped: the ledger notes that this same source content (see `SourceDigest`) mapped to
        /// what the ledger holds for the record now, so planning needs the ledger entry alone. Nil:
        /// it mapped to the payload the ledger holds; a reason: the mapping rejected it for that
        /// reason (the entry's `lastError`). Only a stream given a ledger yields it.
        case sameAsLedger(rejectedFor: String?)
    }

    public var location: SourceLocation
    /// The CRM record id, when the record has one.
    public var externalId: String?
    public var outcome: Outcome
    /// The source fields, kept only when the stream is asked to (the HTML preview).
    public var source: SourceRecord?
    /// What the mapping reads of the record, digested; set when the stream was given a ledger.
    public var sourceDigest: SourceDigest?

    public init(location: SourceLocation, externalId: String?, outcome: Outcome, source: SourceRecord? = nil, sourceDigest: SourceDigest? = nil) {
        self.location = location
        self.externalId = externalId
        self.outcome = outcome
        self.source = source
        self.sourceDigest = sourceDigest
    }

    /// Whether the record maps to a referral: mapped now, or settled by the ledger as mapped before.
    /// The records a repeated id is checked among.
    public var isMapped: Bool {
        switch outcome {
        case .mapped, .sameAsLedger(rejectedFor: nil): true
        case .skipped, .rejected, .sameAsLedger: false
        }
    }

    /// The issues as one line, for reports: `field: message; field: message`.
    public var reason: String? {
        switch outcome {
        case .mapped: nil
        case .skipped(let reason): reason
        case .rejected(let issues, _): issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .sameAsLedger(let rejectedFor): rejectedFor
        }
    }
}

/// A mapped referral with the exact bytes it would be POSTed as and their digest.
///
/// A class: it is handed from the mapping threads through the stream to a writer or an upload task;
/// sharing it costs one reference count per hand-off, not a copy of a kilobyte of fields.
public final class EncodedReferral: Sendable {
    /// The mapper's result, kept whole when the consumer reads the referral (a run plans and
    /// uploads it): copying its referral out would retain (and later release) each of the
    /// referral's two dozen strings and objects once more for every record. Nil when the stream
    /// was asked to let it go (`RecordStream`'s `keepReferrals`).
    private let mapped: MappedReferral?
    /// `ReferralJSON.encode(referral)`: encoded once, on the mapping threads, into a page shared
    /// with the other referrals its mapper encoded (`JSONPage`).
    private let span: JSONSpan
    public let warnings: [String]
    /// The digest when the stream was asked for it (`RecordStream`'s `hashPayloads`), computed on
    /// the mapping threads; otherwise nil and computed on first use.
    private let hash: String?

    /// The referral; decoded again from `json` if it was let go (nothing in the product does that:
    /// the NDJSON and HTML previews read `json` alone).
    public var referral: Referral {
        // Borrowed in place: `mapped.referral.status` reads one field without copying the struct.
        _read {
            if let mapped {
                yield mapped.referral
            } else {
                // Our own bytes, written by `ReferralJSON.encode` from a referral a moment before
                // (`ModelFidelityTests` checks the round trip): they always decode.
                guard let decoded = try? ReferralJSON.decode(json) else { preconditionFailure("an encoded referral did not decode") }
                yield decoded
            }
        }
    }

    /// `ReferralJSON.encode(referral)`, as an array of its own.
    public var json: [UInt8] { span.array }

    /// Reads `json` in place.
    public func withJSON<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try span.withBytes(body)
    }

    /// `PayloadHash.of(json)`: tells a changed record from an unchanged one in the ledger.
    public var payloadHash: String { hash ?? span.withBytes(PayloadHash.of) }

    /// - Parameter keepReferral: false lets the mapped referral go as soon as it is encoded, on
    ///   the mapping thread that made it. A preview keeps only bytes: the referral's strings and
    ///   objects were otherwise freed on the consumer's thread, into the other thread's malloc
    ///   arena (a lock each, and heap holes that made peak RSS creep with the run's length).
    /// - Parameter json: `mapped.encodedReferral()`, when the caller has it already.
    init(_ mapped: MappedReferral, json: JSONSpan? = nil, hashPayload: Bool = true, keepReferral: Bool = true) {
        self.mapped = keepReferral ? mapped : nil
        let span = json ?? JSONSpan(mapped.encodedReferral())
        self.span = span
        warnings = mapped.warnings
        hash = hashPayload ? span.withBytes(PayloadHash.of) : nil
    }
}

/// Consecutive records of one source, in input order: the unit a consumer plans (one ledger query
/// per chunk) and writes. A chunk closes after a fixed number of input records, whatever their
/// outcome, so memory is bounded by the chunk size whatever the input holds.
public struct RecordChunk: Sendable {
    /// The source's position in the job, and its ledger system.
    public var sourceIndex: Int
    public var system: String
    public var records: [StreamRecord]
    /// Input bytes read so far, all files together (compressed bytes for gzip), for progress.
    public var bytesRead: Int64
    /// By position, each record's ledger entry (nil: never seen, or no id), read before the chunk
    /// was mapped; nil when the stream was given no ledger.
    public var entries: [PlanningEntry?]?

    public init(sourceIndex: Int, system: String, records: [StreamRecord], bytesRead: Int64, entries: [PlanningEntry?]? = nil) {
        self.sourceIndex = sourceIndex
        self.system = system
        self.records = records
        self.bytesRead = bytesRead
        self.entries = entries
    }
}

/// The ledger could not be read while a chunk was looked up or planned: nothing of the chunk was sent.
public struct LedgerReadError: Error, CustomStringConvertible {
    public var underlying: any Error
    public var description: String { "\(underlying)" }

    public init(underlying: any Error) {
        self.underlying = underlying
    }
}
