import Foundation
import Ledger
public import Logging
import Mapping
public import PartnerClient
import Pipeline
import Referrals

/// How a run is asked to behave, from the command line.
public struct SyncOptions: Sendable {
    /// Read at most this many input records.
    public var limit: Int?
    public var progress: ProgressStyle = .none

    public init(limit: Int? = nil, progress: ProgressStyle = .none) {
        self.limit = limit
        self.progress = progress
    }
}

/// `refbridge sync`: the record stream (import → map → encode) planned against the ledger and
/// uploaded, with bounded concurrency.
///
/// Exactly once: every create is written `pending` in the ledger, with a stable request id, before
/// its POST. A create whose answer is lost is looked for by listing recent referrals before it is
/// ever sent again, within the run and at the start of the next one.
public final class SyncJob {
    public let configuration: JobConfiguration
    let options: SyncOptions
    let logger: Logger
    let sources: [StreamSource]

    /// Records planned together: one ledger query per chunk.
    static let chunkSize = 512
    /// This many API failures in a row mean the API is down, not that some records are bad.
    static let abortAfterConsecutiveFailures = 5

    /// Records worked on at once: more than the requests in flight (`upload.concurrency`, which the
    /// client's limiter enforces), because a record waiting out a `Retry-After` holds no request
    /// and must not hold up the others while the API is throttling.
    var recordsInFlight: Int { min(256, configuration.upload.concurrency * 4) }

    /// Loads every mapping, finds every file and checks every header against its mapping, so that
    /// a wrong job fails at once (exit 2) with every problem named, before anything is written.
    public init(configuration: JobConfiguration, options: SyncOptions, logger: Logger) throws {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        var sources: [StreamSource] = []
        var problems: [String] = []
        for source in configuration.sources {
            let files = SourceFiles.expand(source.path)
            if files.isEmpty {
                problems.append(ConfigurationError(file: configuration.file, message: "no file matches source path \(source.path): check `sources[].path` (relative paths start at the job file's folder)").description)
            }
            do {
                let spec = try MappingSpec.load(path: source.mapping)
                let stream = StreamSource(files: files, spec: spec, allowEmpty: source.allowEmpty)
                try stream.checkHeaders()
                sources.append(stream)
            } catch {
                // Mapping and header problems name their file already.
                problems.append("\(error)")
            }
        }
        if !problems.isEmpty { throw ConfigurationErrors(lines: problems) }
        self.sources = sources
    }

    /// - Parameters:
    ///   - ledger: what the run plans against; nil plans every record as never seen.
    ///   - pass: on a ledger shared with other workers, the records of this pass only.
    func makeStream(ledger: (any MappingLedger)?, pass: StreamPass? = nil) throws -> RecordStream {
        // Two chunks ahead: the planning side waits on the ledger, not on mapping, and memory stays
        // well under 100 MB next to the ledger's own cache.
        try RecordStream(sources: sources, limit: options.limit, chunkSize: Self.chunkSize, lookahead: 2, headersChecked: true, ledger: ledger, pass: pass)
    }

    /// Runs the job against `client`. Throws only when the ledger cannot be opened (nothing was
    /// sent); everything else is in the summary and its exit code.
    public func run(client: PartnerClient) async throws -> SyncSummary {
        try await run(connect: { client })
    }

    /// Runs the job, connecting to the API only once this run holds the ledger: a second run that
    /// is turned away must not even start an in-process sandbox on the same data file.
    /// - Parameter connect: builds the client; an error stops the run (exit 3) with nothing sent.
    public func run(connect: () async throws -> PartnerClient) async throws -> SyncSummary {
        var summary = SyncSummary(dryRun: false, mode: configuration.upload.mode.rawValue, startedAt: Date())
        // Before anything is read: one run at a time on a ledger (a second one stops here, exit 3).
        let leased = try await LeasedLedger.open(configuration)
        let ledger = leased.ledger
        defer { leased.heartbeat.cancel() }
        let runId: Int64
        let report: RunReport
        do {
            runId = try await ledger.startRun(mode: configuration.upload.mode.rawValue, configDigest: nil)
            try await ledger.setLeaseRun(runId)
            summary.runId = runId
            summary.resumedRuns = try await ledger.closeInterruptedRuns(before: runId)
            for earlier in summary.resumedRuns { RunReport.markInterrupted(reportsPath: configuration.reportsPath, runId: earlier) }
            report = try RunReport(reportsPath: configuration.reportsPath, runId: runId, startedAt: summary.startedAt)
        } catch {
            try? await ledger.releaseLease()
            await ledger.close()
            throw error
        }
        summary.reportsFolder = report.folder
        report.writeSummary(summary)

        let client: PartnerClient
        do {
            client = try await connect()
        } catch {
            summary.abortReason = "cannot reach the API: \(error). Nothing was sent; run again when it answers."
            summary.finishedAt = Date()
            summary.settleExitCode()
            report.finish(summary)
            try? await ledger.finishRun(id: runId, counts: summary.counts, exitCode: summary.exitCode, aborted: true)
            try? await ledger.releaseLease()
            await ledger.close()
            return summary
        }
        let calls = CallCounter()
        let uploader = RecordUploader(client: client, ledger: ledger, runId: runId, calls: calls)
        let state = RunState(summary: summary, report: report, progress: SyncProgress(style: options.progress))
        state.progress.totalBytes = sources.flatMap(\.files).reduce(0) { $0 + Self.fileSize($1) }

        await reconcileUnresolved(ledger: ledger, uploader: uploader, state: state)
        if state.abortReason == nil {
            await mainPass(ledger: ledger, uploader: uploader, state: state)
        }
        if state.abortReason == nil {
            await settleUncertain(uploader: uploader, state: state)
        }
        await leaveUncertainForNextRun(ledger: ledger, runId: runId, state: state)

        state.progress.finish()
        summary = state.summary
        summary.apiCalls = calls.value
        summary.abortReason = state.abortReason
        report.flush()
        if summary.abortReason == nil, let problem = report.writeError {
            // A full disk: the ledger has every record; the report files do not.
            summary.abortReason = "cannot write the reports in \(report.folder) (\(problem)): free some space and see `refbridge ledger export` for what this run did"
        }
        summary.finishedAt = Date()
        summary.settleExitCode()
        report.finish(summary)
        try? await ledger.finishRun(id: runId, counts: summary.counts, exitCode: summary.exitCode, aborted: summary.abortReason != nil)
        try? await ledger.releaseLease()
        await ledger.close()
        return summary
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
    }
}

/// Several problems, one a line, each naming its file.
public struct ConfigurationErrors: Error, CustomStringConvertible, Sendable {
    public var lines: [String]
    public var description: String { lines.joined(separator: "\n") }

    public init(lines: [String]) {
        self.lines = lines
    }

    public init(problems: [ConfigurationError]) {
        lines = problems.map(\.description)
    }
}

/// The mutable state of one run, touched only by the run's own task.
final class RunState {
    var summary: SyncSummary
    let report: RunReport
    let progress: SyncProgress
    var uncertain: [UncertainCreate] = []
    var abortReason: String?
    var consecutiveFailures = 0
    /// Records found by the start-of-run reconciliation: created in an earlier, interrupted run.
    var reconciledAtStart: Set<RecordKey> = []

    init(summary: SyncSummary, report: RunReport, progress: SyncProgress) {
        self.summary = summary
        self.report = report
        self.progress = progress
    }

    func collect(_ result: UploadResult) {
        switch result {
        case .settled(let outcome): handle(outcome)
        case .uncertain(let item): uncertain.append(item)
        }
    }

    /// Every settled record passes here once, or in `handle(_ rows:)`: counts, report row, progress.
    func handle(_ outcome: RecordOutcome) {
        summary.counts.add(outcome)
        report.add(outcome)
        switch outcome.kind {
        case .created, .updated: consecutiveFailures = 0
        case .failed where outcome.abortsRun:
            consecutiveFailures += 1
            if consecutiveFailures >= SyncJob.abortAfterConsecutiveFailures, abortReason == nil {
                abortReason = "\(consecutiveFailures) API calls failed in a row; last: \(outcome.detail). The ledger is consistent: run the same command again to resume."
            }
        default: break
        }
        progress.update(summary.counts)
    }

    /// The settled records of a planned chunk, all at once: nothing the planning settles is a
    /// failed call, so none of them can abort the run.
    func handle(_ rows: ReportRows) {
        summary.counts.add(rows.counts)
        for run in rows.runs { report.add(run, of: rows) }
        if rows.hasSuccess { consecutiveFailures = 0 }
        progress.update(summary.counts)
    }
}
