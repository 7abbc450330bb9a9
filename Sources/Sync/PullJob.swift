import Foundation
import Ledger
public import Logging
import Mapping
public import PartnerClient
import Referrals
public import Writeback

/// What a pull did.
public struct PullSummary: Sendable {
    public var runId: Int64?
    /// List requests answered (a 400 to the filter included).
    public var listCalls = 0
    public var pages = 0
    /// Referrals on the pages that were newer than the last pull's mark.
    public var seen = 0
    /// History rows written: status moves, and incoming referrals seen for the first time.
    public var changes = 0
    public var newIncoming = 0
    /// The `updatedDateTime` filter was sent (and accepted).
    public var usedFilter = false
    /// The API answered 400 to the filter: this pull listed without it.
    public var filterRefused = false
    public var highWaterMark: String?
    /// List items that were not referral objects: the mark is then left where it was, so the
    /// next pull reads these pages again rather than skip a move it could not read.
    public var unreadable = 0
    public var writeback = WritebackResult()
    public var abortReason: String?

    public init(runId: Int64?) {
        self.runId = runId
    }

    public var exitCode: Int32 { abortReason == nil ? 0 : 3 }

    public var text: String {
        var lines = [
            "pull \(runId.map(String.init) ?? "-"): \(pages) page(s) in \(listCalls) list call(s)\(usedFilter ? " (filtered on updatedDateTime)" : filterRefused ? " (the API refused the updatedDateTime filter: listed without it)" : "")",
            "  referrals changed since the last pull: \(seen); status moves recorded: \(changes - newIncoming); new incoming: \(newIncoming)",
            "  write-back rows: \(writeback.updateRows); incoming leads: \(writeback.incomingRows)\(writeback.rewrittenBatches > 0 ? "; earlier files written again: \(writeback.rewrittenBatches)" : "")",
        ]
        if unreadable > 0 {
            lines.append("  \(unreadable) list item(s) could not be read (see the log): the next pull reads these pages again")
        }
        for file in writeback.files { lines.append("  wrote \(file)") }
        if let abortReason { lines.append("stopped: \(abortReason)") }
        return lines.joined(separator: "\n")
    }
}

/// `refbridge pull`: what changed on Partner Center since the last pull, recorded in the ledger
/// with its history, then the write-back and incoming-leads files (issue #13).
///
/// It lists with `$orderby=updatedDateTime desc` (documented) and follows `@odata.nextLink` back to
/// the last complete pull's high-water mark. `$filter=updatedDateTime ge '…'` is sent only while the
/// API has not refused it: the docs list the field as filterable without naming an operator, so a
/// 400 makes this pull (and those of the next week) list without it. Each page is one ledger
/// transaction; the mark moves with the last page only (see `LedgerDatabase+History`).
public final class PullJob {
    public let configuration: JobConfiguration
    let logger: Logger
    public let targets: [WritebackTarget]

    /// How long a refused filter is not tried again.
    static let filterRetryAfter: TimeInterval = 7 * 86_400

    /// Loads every source's mapping (for its `writeback:` and `incoming:` sections); the exports
    /// themselves are not read.
    public init(configuration: JobConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        var targets: [WritebackTarget] = []
        var problems: [String] = []
        for source in configuration.sources {
            do {
                targets.append(WritebackTarget(try MappingSpec.load(path: source.mapping)))
            } catch {
                problems.append("\(error)")
            }
        }
        if !problems.isEmpty { throw ConfigurationErrors(lines: problems) }
        self.targets = targets
    }

    /// Runs the pull under the ledger's lease (a sync or pull in progress: `LedgerBusy`, exit 3).
    /// - Parameters:
    ///   - connect: builds the client once the lease is held.
    ///   - since: also write again the files of batches made since this run.
    public func run(connect: () async throws -> PartnerClient, since: Int64? = nil) async throws -> PullSummary {
        try await Self.underLease(configuration: configuration, mode: "pull") { ledger, runId in
            var summary = PullSummary(runId: runId)
            do {
                let client = try await connect()
                try await Self.pull(client: client, ledger: ledger, runId: runId, summary: &summary, logger: logger)
            } catch {
                summary.abortReason = "\(error). What was recorded is kept; run the same command again to go on."
            }
            // The files are written even when the listing stopped: what was recorded is final.
            do {
                summary.writeback = try await WritebackWriter(ledger: ledger, folder: configuration.writebackPath)
                    .run(targets: targets, runId: runId, since: since)
            } catch {
                summary.abortReason = summary.abortReason ?? "\(error)"
            }
            let counts = RunCounts(read: summary.seen, created: summary.newIncoming, updated: summary.changes - summary.newIncoming)
            return (summary, counts, summary.exitCode, summary.abortReason != nil)
        }
    }

    /// The listing and recording, without the lease or the files (tests drive it directly).
    static func pull(client: PartnerClient, ledger: LedgerDatabase, runId: Int64?, summary: inout PullSummary, logger: Logger, now: Date = Date()) async throws {
        let state = try await ledger.pullState()
        let mark = state.highWaterMark.flatMap(APIDateTime.init)
        let filterAllowed = state.filterRefusedAt.map { now.timeIntervalSince($0) > filterRetryAfter } ?? true
        var page: ReferralPage
        if let mark, filterAllowed {
            do {
                summary.listCalls += 1
                page = try await client.list(filter: "updatedDateTime ge '\(mark.text)'", orderBy: "updatedDateTime desc")
                summary.usedFilter = true
                if state.filterRefusedAt != nil { try await ledger.setFilterRefused(at: nil) }
            } catch let error as PartnerAPIError where error.status == 400 {
                logger.info("partner api: the updatedDateTime filter was refused; listing without it", metadata: ["http.status": "400"])
                summary.filterRefused = true
                try await ledger.setFilterRefused(at: now)
                summary.listCalls += 1
                page = try await client.list(orderBy: "updatedDateTime desc")
            }
        } else {
            summary.listCalls += 1
            page = try await client.list(orderBy: "updatedDateTime desc")
        }
        var newest = mark
        while true {
            summary.pages += 1
            var observations: [RemoteObservation] = []
            var reachedMark = false
            for referral in page.referrals {
                guard let id = referral.id, let updated = referral.updatedDateTime else { continue }
                // Newest first: past the mark, everything was seen by an earlier complete pull. The
                // mark's own instant is read again (another referral may share it); the ledger finds
                // nothing new in a referral it already knows.
                if let mark, updated.date < mark.date, !ListQueryTime.sameInstant(updated, mark) {
                    reachedMark = true
                    break
                }
                if newest.map({ updated.date > $0.date }) ?? true { newest = updated }
                let incoming = referral.direction == .incoming
                observations.append(
                    RemoteObservation(
                        referralId: id, direction: referral.direction?.rawValue, status: referral.status?.rawValue,
                        substatus: referral.substatus?.rawValue, statusReason: referral.statusReason, eTag: referral.eTag,
                        updatedDateTime: updated.text, engagementId: referral.engagementId,
                        json: incoming ? String(decoding: ReferralJSON.encode(referral), as: UTF8.self) : nil))
            }
            summary.unreadable += page.unreadable.count
            let last = reachedMark || page.nextLink == nil
            // Referrals at the mark's own instant were seen by the last pull already.
            summary.seen += observations.count { observation in
                guard let mark, let updated = APIDateTime(observation.updatedDateTime) else { return true }
                return !ListQueryTime.sameInstant(updated, mark)
            }
            let advance = last && summary.unreadable == 0
            let result = try await ledger.recordPullPage(observations, runId: runId, highWaterMark: advance ? newest?.text : nil)
            summary.changes += result.changes
            summary.newIncoming += result.newIncoming
            if last {
                summary.highWaterMark = advance ? newest?.text : mark?.text
                return
            }
            guard let next = page.nextLink else { return }
            summary.listCalls += 1
            page = try await client.listPage(url: next)
        }
    }

    /// Opens the ledger, takes its lease (with a heartbeat), records a run of `mode`, runs `body`,
    /// and finishes the run and releases the lease on every path.
    static func underLease<Result>(
        configuration: JobConfiguration, mode: String,
        _ body: (LedgerDatabase, Int64) async throws -> (Result, RunCounts, Int32, Bool)
    ) async throws -> Result {
        if configuration.ledgerURL != nil {
            // Pull and write-back read and write their own tables through SQL of their own: not
            // ported to the shared ledger yet (issue #14 covers sync).
            throw ConfigurationError(file: configuration.file, message: "\(mode) needs a SQLite ledger for now: the PostgreSQL ledger runs sync only. Run `refbridge ledger migrate` to a file for \(mode)")
        }
        let leased = try await LeasedLedger.open(configuration)
        guard let ledger = leased.ledger as? LedgerDatabase else {
            leased.heartbeat.cancel()
            throw ConfigurationError(file: configuration.file, message: "\(mode) needs a SQLite ledger")
        }
        defer { leased.heartbeat.cancel() }
        let runId: Int64
        do {
            runId = try await ledger.startRun(mode: mode, configDigest: nil)
            try await ledger.setLeaseRun(runId)
            for earlier in try await ledger.closeInterruptedRuns(before: runId) {
                RunReport.markInterrupted(reportsPath: configuration.reportsPath, runId: earlier)
            }
        } catch {
            try? await ledger.releaseLease()
            throw error
        }
        do {
            let (result, counts, exitCode, aborted) = try await body(ledger, runId)
            try? await ledger.finishRun(id: runId, counts: counts, exitCode: exitCode, aborted: aborted)
            try? await ledger.releaseLease()
            return result
        } catch {
            try? await ledger.finishRun(id: runId, counts: RunCounts(), exitCode: 3, aborted: true)
            try? await ledger.releaseLease()
            throw error
        }
    }
}

/// `refbridge writeback`: the write-back and incoming-leads files from what the ledger knows now,
/// without calling the API.
public enum WritebackJob {
    public static func run(configuration: JobConfiguration, targets: [WritebackTarget], since: Int64?) async throws -> (runId: Int64, result: WritebackResult) {
        try await PullJob.underLease(configuration: configuration, mode: "writeback") { ledger, runId in
            let result = try await WritebackWriter(ledger: ledger, folder: configuration.writebackPath).run(targets: targets, runId: runId, since: since)
            return ((runId, result), RunCounts(updated: result.updateRows), 0, false)
        }
    }
}

/// Two server times that are the same instant: the same text, or within half a microsecond (a
/// `Date` cannot hold the API's 100 ns ticks exactly).
enum ListQueryTime {
    static func sameInstant(_ a: APIDateTime, _ b: APIDateTime) -> Bool {
        a.text == b.text || abs(a.date.timeIntervalSince(b.date)) < 0.000_000_5
    }
}
