import Foundation
import Testing

/// The commands as a user runs them: exit codes and the first line they print.
@Suite(.serialized) struct CommandTests {
    static let preset = CommandRunner.root.appendingPathComponent("mappings/dynamics-lead-excel-csv.yaml").path
    static let sample = CommandRunner.root.appendingPathComponent("samples/dynamics-leads.csv").path

    /// The demo job, copied to a folder of its own so runs don't share state.
    static func demoJob(in runner: CommandRunner, mapping: String = preset, csv: String = sample) throws -> String {
        try runner.write("job.yaml", """
            api: sandbox
            sandbox:
              data: state/sandbox.json
            ledger: state/ledger.sqlite
            sources:
              - path: \(csv)
                mapping: \(mapping)
            reports: state/reports
            """)
    }

    @Test func helpAndUsage() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let help = try await runner.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("OVERVIEW: Bridge CRM exports"))
        // A usage error is "configuration or usage": 2, for every command.
        #expect(try await runner.run(["sync"]).status == 2)
        #expect(try await runner.run(["sync", "--config", "x.yaml", "--concurrency", "0"]).status == 2)
        #expect(try await runner.run(["sync", "--config", "x.yaml", "--mode", "sometimes"]).status == 2)
        #expect(try await runner.run(["preview", "--mapping", Self.preset, "--format", "pdf", Self.sample]).status == 2)
    }

    @Test func previewOfTheSample() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let result = try await runner.run(["preview", "--mapping", Self.preset, "--format", "ndjson", Self.sample])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.firstLine.hasPrefix(#"{"source":{"file":"#))
        #expect(result.firstErrorLine.hasPrefix("refbridge: 24 records: 17 mapped, 7 skipped, 0 rejected"))
    }

    @Test func previewOutputIsPrivateToTheUser() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let result = try await runner.run(["preview", "--mapping", Self.preset, "--output", "out.ndjson", Self.sample])
        #expect(result.status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: runner.path("out.ndjson"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aFullDiskIsAnErrorNotACrash() async throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let runner = try CommandRunner()
        defer { runner.remove() }
        // /dev/full: every write fails with ENOSPC, as on a full disk.
        let result = try await runner.run(["preview", "--mapping", Self.preset, "--format", "ndjson", "--output", "/dev/full", Self.sample])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("cannot write the preview (No space left on device)"))
    }

    @Test func aMissingColumnStopsPreviewAndSyncAlikeBeforeAnything() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        // The export without the consent column the preset reads, as a user's export may be.
        let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
        let csv = try runner.write("no-consent.csv", text.replacingOccurrences(of: ",Partner Sharing Consent", with: ",Sharing Consent"))
        let preview = try await runner.run(["preview", "--mapping", Self.preset, csv])
        #expect(preview.status == 2)
        #expect(preview.stderr.contains("'Partner Sharing Consent' is not in the input's header"))
        let job = try Self.demoJob(in: runner, csv: csv)
        let sync = try await runner.run(["sync", "--config", job])
        #expect(sync.status == 2)
        #expect(sync.stderr.contains("'Partner Sharing Consent' is not in the input's header"))
        // The same message, and nothing written: no ledger, no sandbox state, no reports.
        #expect(sync.firstErrorLine == preview.firstErrorLine)
        #expect(!runner.exists("state"))
    }

    @Test func aWrongJobFileWritesNothing() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let job = try runner.write("job.yaml", """
            api:
              baseURL: https://api.partner.microsoft.com/v1.0
              auth:
                tokenEnvv: X
            ledger: state/ledger.sqlite
            sources:
              - path: \(Self.sample)
                mapping: \(Self.preset)
            reports: state/reports
            """)
        let result = try await runner.run(["sync", "--config", job])
        #expect(result.status == 2)
        #expect(result.stderr.contains("job.yaml:4:") && result.stderr.contains("api.auth is not valid"))
        #expect(!result.stderr.contains("job.yaml: \(job)"))
        #expect(!runner.exists("state"))
    }

    @Test func syncDryRunAndARerun() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let job = try Self.demoJob(in: runner)
        let plan = try await runner.run(["sync", "--config", job, "--dry-run"])
        #expect(plan.status == 0 && plan.firstLine == "dry run (no API call, no ledger write): 24 records read")
        #expect(plan.stdout.contains("would create 17, update 0, leave 0 unchanged, skip 7, reject 0"))
        #expect(!runner.exists("state/ledger.sqlite"))
        let first = try await runner.run(["sync", "--config", job])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.firstLine == "run 1: 24 records read")
        #expect(first.stdout.contains("created 17, updated 0, unchanged 0, skipped 7, rejected 0, failed 0"))
        let second = try await runner.run(["sync", "--config", job])
        #expect(second.status == 0 && second.stdout.contains("unchanged 17") && second.stdout.contains("API calls: 0"))
        let stats = try await runner.run(["ledger", "stats", "--config", job])
        #expect(stats.status == 0 && stats.stdout.contains("unresolved (looked for first by the next run): 0"))
    }

    @Test func tableOutputEscapesTerminalControls() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let mapping = try runner.write("m.yaml", """
            name: t
            key: id
            fields:
              customerProfile.name: company
              customerProfile.address.country: country
              consent.consentToToShareInfoWithOthers: { const: true }
              consent.consentToContact: { const: false }
              details.notes: { const: n }
              type: { const: Independent }
            """)
        let csv = try runner.write("evil.csv", "id,company,country\ncrm-1,\"\u{1B}]0;owned\u{07}\u{1B}[2JAcme\",GB\n")
        let result = try await runner.run(["preview", "--mapping", mapping, "--format", "table", csv])
        #expect(result.status == 0)
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"))
        #expect(result.stdout.contains("\\u{1b}]0;owned"))
        #expect(result.stdout.contains("evil.csv record 1 (line 2)"))
    }
}
