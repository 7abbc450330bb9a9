import Foundation
import Ledger
import Logging
import PartnerClient
import Referrals
import Sandbox

@testable import Sync

/// A folder with a CSV export, a mapping and a job file pointed at an in-process sandbox.
struct SyncHarness {
    let folder: String
    let sandbox: SandboxServer
    var concurrency = 4
    var attempts = 5
    /// The job's `ledger:` value: a file in the folder, or a postgres:// URL (a shared ledger).
    var ledgerValue = "ledger.sqlite"

    static let mapping = """
        name: test-leads
        source: { format: csv }
        key: id
        skip:
          - when: { field: status, equals: lost }
            reason: lost lead
        fields:
          name: topic
          type:
            when: [{ field: hot, equals: "yes", value: Shared }]
            default: Independent
          target[0].type:
            when: [{ field: hot, equals: "yes", value: SolutionProfile }]
          target[0].id:
            when: [{ field: hot, equals: "yes", value: SOL-1 }]
          customerProfile.name: company
          customerProfile.address.country: country
          consent.consentToToShareInfoWithOthers: { field: consent, map: { "yes": "true", "no": "false" }, default: reject }
          consent.consentToContact: { const: true }
          details.notes: topic
          details.dealValue: value
          details.currency: { const: USD }
        """

    static func start(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws -> SyncHarness {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configure(&configuration)
        var logger = Logger(label: "sync-test-sandbox")
        logger.logLevel = .critical
        let server = try await SandboxServer.start(configuration, logger: logger)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try mapping.write(toFile: folder + "/mapping.yaml", atomically: true, encoding: .utf8)
        setenv("REFBRIDGE_TEST_TOKEN", "test-token", 1)
        return SyncHarness(folder: folder, sandbox: server)
    }

    /// `count` leads; every fourth is hot (shared), `lost` ones are skipped.
    static func rows(_ count: Int, topic: (Int) -> String = { "Deal \($0)" }, lost: Set<Int> = []) -> [[String]] {
        (1...count).map { index in
            ["crm-\(index)", topic(index), "Company \(index)", "GB", index % 4 == 0 ? "yes" : "no", "yes", "\(index * 1000)", lost.contains(index) ? "lost" : "open"]
        }
    }

    func writeCSV(_ rows: [[String]]) throws {
        var text = "id,topic,company,country,hot,consent,value,status\n"
        for row in rows { text += row.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",") + "\n" }
        try text.write(toFile: folder + "/leads.csv", atomically: true, encoding: .utf8)
    }

    func job() throws -> JobConfiguration {
        let yaml = """
            api:
              baseURL: \(sandbox.baseURL)
              auth:
                tokenEnv: REFBRIDGE_TEST_TOKEN
            ledger: \(ledgerValue)
            sources:
              - path: leads.csv
                mapping: mapping.yaml
            upload:
              concurrency: \(concurrency)
              attempts: \(attempts)
              timeoutSeconds: 5
            reports: reports
            """
        try yaml.write(toFile: folder + "/job.yaml", atomically: true, encoding: .utf8)
        return try JobConfiguration.load(path: folder + "/job.yaml")
    }

    func run(dryRun: Bool = false) async throws -> SyncSummary {
        try await Self.run(try job(), dryRun: dryRun)
    }

    /// As the executable does it: the job loads and checks its sources, then runs against a client
    /// built from the job file's upload settings.
    static func run(_ configuration: JobConfiguration, dryRun: Bool = false) async throws -> SyncSummary {
        var logger = Logger(label: "sync-test")
        logger.logLevel = .critical
        let job = try SyncJob(configuration: configuration, options: SyncOptions(), logger: logger)
        if dryRun { return await job.dryRun() }
        guard case .remote(let baseURL, _) = configuration.api else { throw ConfigurationError(file: configuration.file, message: "the harness runs remote jobs") }
        var clientConfiguration = PartnerClientConfiguration(baseURL: baseURL)
        clientConfiguration.maxAttempts = configuration.upload.attempts
        clientConfiguration.maxConcurrency = configuration.upload.concurrency
        clientConfiguration.requestTimeout = .milliseconds(Int64(configuration.upload.timeoutSeconds * 1000))
        let client = PartnerClient(configuration: clientConfiguration, tokenProvider: StaticTokenProvider(token: "test-token"), logger: logger)
        do {
            let summary = try await job.run(client: client)
            try? await client.shutdown()
            return summary
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func ledger() throws -> LedgerDatabase { try LedgerDatabase.open(path: folder + "/ledger.sqlite") }

    /// Primary referrals (not the connected ones for Microsoft) by external id.
    func primaries() async -> [String: [Referral]] {
        Dictionary(grouping: await sandbox.allReferrals().filter { !isConnected($0) }, by: { $0.externalReferenceId ?? "" })
    }

    func connected() async -> [String: [Referral]] {
        Dictionary(grouping: await sandbox.allReferrals().filter(isConnected), by: { $0.externalReferenceId ?? "" })
    }

    func isConnected(_ referral: Referral) -> Bool {
        referral.target?.contains { $0.id == "msft" } ?? false
    }

    func csvRows(_ name: String, in summary: SyncSummary) throws -> [[String]] {
        let text = try String(contentsOfFile: summary.reportsFolder! + "/" + name, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func shutdown() async {
        await sandbox.shutdown()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
