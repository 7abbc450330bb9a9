import Foundation
import Ledger
import LedgerPostgres
import Logging
import PostgresNIO
import Referrals
import Sandbox
import Testing

@testable import Sync

/// Sync on a shared PostgreSQL ledger (issue #14): several jobs at once over the same records
/// split the creates and send none twice, even when responses are lost. The cross-process version,
/// with SIGKILLs, is `SOAK_HOSTS=3 scripts/soak`.
@Suite(.enabled(
    if: ProcessInfo.processInfo.environment["REFBRIDGE_TEST_POSTGRES_URL"] != nil || ProcessInfo.processInfo.environment["CI"] == "true",
    "needs PostgreSQL: set REFBRIDGE_TEST_POSTGRES_URL (see the README)"))
struct SharedLedgerSyncTests {
    /// A new database on the test server, dropped by `drop`.
    static func newDatabase() async throws -> (url: String, drop: @Sendable () async -> Void) {
        guard let text = ProcessInfo.processInfo.environment["REFBRIDGE_TEST_POSTGRES_URL"] else {
            throw ConfigurationError(file: "REFBRIDGE_TEST_POSTGRES_URL", message: "not set but CI=true: .ci/run should have started PostgreSQL")
        }
        let base = try PostgresLedgerURL(text)
        let name = "refbridge_sync_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
        @Sendable func admin(_ sql: String) async throws {
            let configuration = PostgresClient.Configuration(host: base.host, port: base.port, username: base.user, password: nil, database: base.database, tls: .disable)
            var quiet = Logger(label: "test")
        quiet.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
            let running = Task { await client.run() }
            defer { running.cancel() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
        }
        try await admin("CREATE DATABASE \(name)")
        var url = base
        url.database = name
        return (url.description, { try? await admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
    }

    @Test func threeJobsAtOnceSplitTheCreatesAndSendNoneTwice() async throws {
        var started = try await SyncHarness.start { $0.faultRate = 0.1; $0.seed = 5 }
        let (url, drop) = try await Self.newDatabase()
        started.ledgerValue = url
        started.attempts = 8
        let harness = started
        defer { Task { await harness.shutdown(); await drop() } }
        try harness.writeCSV(SyncHarness.rows(120, lost: [5, 6]))
        let job = try harness.job()
        #expect(job.ledgerURL != nil)

        let summaries = try await withThrowingTaskGroup(of: SyncSummary.self) { group in
            for _ in 0..<3 { group.addTask { try await SyncHarness.run(job) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Resume whatever a lost answer left unresolved, as the next nightly run would.
        var settle = try await SyncHarness.run(job)
        if settle.exitCode != 0 { settle = try await SyncHarness.run(job) }

        let primaries = await harness.primaries()
        #expect(primaries.count == 118)
        #expect(primaries.values.allSatisfy { $0.count == 1 }, "a record was created twice")
        let connected = await harness.connected()
        #expect(connected.values.allSatisfy { $0.count == 1 }, "a connected referral was created twice")
        // The work was split: more than one job created referrals.
        #expect(summaries.filter { $0.counts.created > 0 }.count >= 2, "one job did all the work: \(summaries.map(\.counts.created))")

        let ledger = try await LedgerStore.open(job)
        for (id, referrals) in primaries {
            let entry = try await ledger.entry(system: "test-leads", externalId: id)
            #expect(entry?.referralId == referrals.first?.id, "the ledger disagrees with the sandbox on \(id)")
        }
        #expect(try await ledger.stats().unresolved == 0)
        await ledger.close()
    }
}

/// `ledger:` in the job file: a path keeps SQLite, a postgres:// URL selects the shared ledger, and
/// its password never comes from the file itself.
@Suite struct LedgerSettingTests {
    static func load(_ ledger: String) throws -> JobConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("job-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let yaml = """
            api:
              baseURL: http://127.0.0.1:1/v1.0
              auth:
                tokenEnv: REFBRIDGE_TEST_TOKEN
            \(ledger)
            sources:
              - path: leads.csv
                mapping: mapping.yaml
            """
        try yaml.write(toFile: folder + "/job.yaml", atomically: true, encoding: .utf8)
        return try JobConfiguration.load(path: folder + "/job.yaml")
    }

    @Test func aPathIsSQLiteAndAURLIsPostgres() throws {
        let file = try Self.load("ledger: state/ledger.sqlite")
        #expect(file.ledgerURL == nil && file.ledgerPath.hasSuffix("/state/ledger.sqlite"))
        let shared = try Self.load("ledger: postgres://sync@db.example:6432/refbridge?sslmode=require")
        #expect(shared.ledgerURL?.host == "db.example" && shared.ledgerURL?.port == 6432 && shared.ledgerPassword == .none)
        let named = try Self.load("""
            ledger:
              url: postgresql://sync@db.example/refbridge
              password_env: LEDGER_PASSWORD
            """)
        #expect(named.ledgerURL?.database == "refbridge" && named.ledgerPassword == .environment("LEDGER_PASSWORD"))
        let fromFile = try Self.load("""
            ledger:
              url: postgres://sync@db.example/refbridge
              password_file: secrets/ledger
            """)
        guard case .file(let path) = fromFile.ledgerPassword else {
            Issue.record("password_file was not read")
            return
        }
        #expect(path.hasSuffix("/secrets/ledger"))
    }

    @Test func aPasswordInTheURLIsRefusedWithoutBeingRepeated() throws {
        do {
            _ = try Self.load("ledger: postgres://sync:hunter2@db.example/refbridge")
            Issue.record("a URL with a password was accepted")
        } catch {
            #expect("\(error)".contains("holds a password") && !"\(error)".contains("hunter2"))
        }
        #expect(throws: (any Error).self) { try Self.load("ledger: { password_env: X }") }
    }
}
