import Foundation
import Importers
import Ledger
import Logging
import Mapping
import PartnerClient
import Referrals

/// How a run is asked to behave, from the command line.
public struct SyncOptions: Sendable {
    /// Map and plan against the ledger; no API call, no ledger write.
    public var dryRun = false
    /// Finish the unresolved work of an earlier run first. Every run does this; the flag makes it explicit.
    public var resume = false
    /// Read at most this many input records.
    public var limit: Int?
    public var progress: ProgressStyle = .none

    public init(dryRun: Bool = false, resume: Bool = false, limit: Int? = nil, progress: ProgressStyle = .none) {
        self.dryRun = dryRun
        self.resume = resume
        self.limit = limit
        self.progress = progress
    }
}

/// `refbridge sync`: import → map → plan against the ledger → upload → ledger, streaming, with
/// bounded concurrency.
///
/// Exactly once: every create is written `pending` in the ledger, with a stable request id, before
/// its POST. A create whose answer is lost is looked for by listing recent referrals before it is
/// ever sent again, within the run and at the start of the next one.
public final class SyncJob {
    let configuration: JobConfiguration
    let options: SyncOptions
    let logger: Logger

    /// Records planned together: one ledger query per batch.
    static let batchSize = 512
    /// This many API failures in a row mean the API is down, not that some records are bad.
    static let abortAfterConsecutiveFailures = 5

    /// Records worked on at once: more than the requests in flight (`upload.concurrency`, which the
    /// client's limiter enforces), because a record waiting out a `Retry-After` holds no request
    /// and must not hold up the others while the API is throttling.
    var recordsInFlight: Int { min(256, configuration.upload.concurrency * 4) }

    public init(configuration: JobConfiguration, options: SyncOptions, logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
    }

    struct PreparedSource {
        var files: [String]
        var mappingPath: String
        var spec: MappingSpec
        var mapper: Mapper
        var system: String { spec.sourceSystem }
    }

    /// Loads every mapping and finds every file before anything is sent, so a typo fails the run at
    /// once (exit 2) instead of half-way.
    func prepareSources() throws -> [PreparedSource] {
        var prepared: [PreparedSource] = []
        var problems: [ConfigurationError] = []
        for source in configuration.sources {
            let files = SourceFiles.expand(source.path)
            if files.isEmpty {
                problems.append(ConfigurationError(file: configuration.file, message: "no file matches source path \(source.path): check `sources[].path` (relative paths start at the job file's folder)"))
            }
            do {
                let spec = try MappingSpec.load(path: source.mapping)
                prepared.append(PreparedSource(files: files, mappingPath: source.mapping, spec: spec, mapper: Mapper(spec)))
            } catch {
                problems.append(ConfigurationError(file: source.mapping, message: "\(error)"))
            }
        }
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 { throw ConfigurationErrors(problems: problems) }
        return prepared
    }

    /// Runs the job. Throws only for configuration problems found before anything is sent (exit 2);
    /// everything else is in the summary and its exit code.
    public func run() async throws -> SyncSummary {
        let sources = try prepareSources()
        var summary = SyncSummary(dryRun: options.dryRun, mode: configuration.upload.mode.rawValue, startedAt: Date())
        if options.dryRun {
            return try await dryRun(sources, summary: summary)
        }

        let ledger: LedgerDatabase
        do {
            ledger = try LedgerDatabase.open(path: configuration.ledgerPath)
        } catch {
            throw ConfigurationError(file: configuration.ledgerPath, message: "cannot open the ledger: \(error)")
        }
        let runId = try await ledger.startRun(mode: configuration.upload.mode.rawValue, configDigest: nil)
        summary.runId = runId
        let report = try RunReport(reportsPath: configuration.reportsPath, runId: runId, startedAt: summary.startedAt)
        summary.reportsFolder = report.folder

        let connection: APIConnection
        do {
            connection = try await APIConnection.open(configuration, logger: logger)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            summary.abortReason = "cannot reach the API: \(error)"
            return await finish(summary, ledger: ledger, report: report)
        }
        let calls = CallCounter()
        let uploader = RecordUploader(client: connection.client, ledger: ledger, runId: runId, logger: logger, calls: calls)
        let state = RunState(summary: summary, report: report, progress: SyncProgress(style: options.progress))
        state.progress.totalBytes = sources.flatMap(\.files).reduce(0) { $0 + Self.fileSize($1) }

        await reconcileUnresolved(ledger: ledger, uploader: uploader, state: state)
        if state.abortReason == nil {
            await mainPass(sources, ledger: ledger, uploader: uploader, state: state)
        }
        if state.abortReason == nil {
            await settleUncertain(uploader: uploader, state: state)
        }
        await leaveUncertainForNextRun(ledger: ledger, runId: runId, state: state)

        await connection.shutdown()
        state.progress.finish()
        summary = state.summary
        summary.apiCalls = calls.value
        summary.abortReason = state.abortReason
        return await finish(summary, ledger: ledger, report: report)
    }

    func finish(_ summary: SyncSummary, ledger: LedgerDatabase, report: RunReport) async -> SyncSummary {
        var summary = summary
        summary.finishedAt = Date()
        summary.settleExitCode()
        report.finish(summary)
        if let runId = summary.runId {
            let counts = RunCounts(
                read: summary.read, created: summary.created, updated: summary.updated, unchanged: summary.unchanged,
                skipped: summary.skipped, rejected: summary.rejected, failed: summary.failed,
                reconciled: summary.reconciled, duplicates: summary.duplicates)
            try? await ledger.finishRun(id: runId, counts: counts, exitCode: summary.exitCode, aborted: summary.abortReason != nil)
        }
        return summary
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
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
    var reconciledAtStart: Set<String> = []

    init(summary: SyncSummary, report: RunReport, progress: SyncProgress) {
        self.summary = summary
        self.report = report
        self.progress = progress
    }

    func handle(_ result: RecordResult) {
        switch result {
        case .created(let externalId, let referral, let connected, let source, let reconciled):
            summary.created += 1
            if reconciled { summary.reconciled += 1 }
            consecutiveFailures = 0
            report.succeeded(externalId: externalId, referralId: referral.id, engagementId: referral.engagementId, connectedReferralId: connected?.id, outcome: reconciled ? "created (found after a lost response)" : "created", source: source)
        case .updated(let externalId, let referralId, let engagementId, let source, let notes):
            summary.updated += 1
            consecutiveFailures = 0
            report.succeeded(externalId: externalId, referralId: referralId, engagementId: engagementId, connectedReferralId: nil, outcome: notes.isEmpty ? "updated" : "updated; " + notes.joined(separator: "; "), source: source)
        case .unchanged(let externalId, let referralId, let engagementId, let source):
            summary.unchanged += 1
            report.succeeded(externalId: externalId, referralId: referralId, engagementId: engagementId, connectedReferralId: nil, outcome: "unchanged", source: source)
        case .notUpdated(let externalId, let referralId, let source, let reason):
            summary.unchanged += 1
            summary.notUpdated += 1
            report.succeeded(externalId: externalId, referralId: referralId, engagementId: nil, connectedReferralId: nil, outcome: "unchanged; not updated: " + reason, source: source)
        case .skipped(let externalId, let source, let reason):
            summary.skipped += 1
            report.succeeded(externalId: externalId ?? "", referralId: nil, engagementId: nil, connectedReferralId: nil, outcome: "skipped: " + reason, source: source)
        case .rejected(let externalId, let source, let reason):
            summary.rejected += 1
            report.failed(externalId: externalId, source: source, outcome: "rejected", reason: reason)
        case .failed(let externalId, let source, let failure):
            summary.failed += 1
            report.failed(externalId: externalId, source: source, outcome: "failed", reason: failure.reason)
            if failure.abortsRun {
                consecutiveFailures += 1
                if consecutiveFailures >= SyncJob.abortAfterConsecutiveFailures, abortReason == nil {
                    abortReason = "\(consecutiveFailures) API calls failed in a row; last: \(failure.reason). The ledger is consistent: run the same command again to resume."
                }
            }
        case .uncertain(let item):
            uncertain.append(item)
        }
        progress.update(summary)
    }
}
