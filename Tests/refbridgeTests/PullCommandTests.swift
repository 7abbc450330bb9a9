import Foundation
import Testing

/// `sync`, the sandbox playing Microsoft, `pull` and `writeback` as a user runs them (issue #13): the
/// README's demo, on the in-process sandbox.
@Suite(.serialized) struct PullCommandTests {
    @Test func theDemoSyncMovesPullAndWriteBack() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let job = try runner.write("job.yaml", """
            api: sandbox
            sandbox:
              data: state/sandbox.json
            ledger: state/ledger.sqlite
            sources:
              - path: \(CommandTests.sample)
                mapping: \(CommandTests.preset)
            reports: state/reports
            writeback: out
            pull: true
            """)
        // sync ends with a pull (`pull: true`): every created record gets its first write-back row.
        let sync = try await runner.run(["sync", "--config", job])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stdout.contains("write-back rows: 17;"), "\(sync.stdout)")
        let moved = try await runner.run([
            "sandbox", "--data", runner.path("state/sandbox.json"), "--activity", "win=2,lose=1,incoming=2", "--seed", "5", "--apply-and-exit",
        ])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stdout.split(separator: "\n").count == 5)
        #expect(moved.stderr.isEmpty, "\(moved.stderr)")
        let pull = try await runner.run(["pull", "--config", job])
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout.contains("status moves recorded: 3; new incoming: 2"), "\(pull.stdout)")
        #expect(pull.stdout.contains("write-back rows: 3; incoming leads: 2"), "\(pull.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: runner.path("out")).sorted()
        #expect(files.contains { $0.hasPrefix("dynamics-leads-incoming-") })
        // The history of one moved referral, by its id.
        let movedId = try #require(moved.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let show = try await runner.run(["ledger", "show", "--config", job, movedId])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("Active/Accepted → Closed/"), "\(show.stdout)")
        // A quiet pull: nothing new, no file.
        let quiet = try await runner.run(["pull", "--config", job])
        #expect(quiet.status == 0)
        #expect(!quiet.stdout.contains("wrote"), "\(quiet.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: runner.path("out")).sorted() == files)
        // writeback --since writes earlier batches again, the same names.
        let again = try await runner.run(["writeback", "--config", job, "--since", "1"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("earlier batch(es) written again"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: runner.path("out")).sorted() == files)
    }

    @Test func usageAndConfigurationProblemsExit2() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        #expect(try await runner.run(["pull"]).status == 2)
        #expect(try await runner.run(["pull", "--config", "missing.yaml"]).status == 2)
        #expect(try await runner.run(["sandbox", "--activity", "teleport=1"]).status == 2)
        #expect(try await runner.run(["sandbox", "--activity", "win=1", "--apply-and-exit"]).status == 2)
        let mapping = try runner.write("m.yaml", """
            source: { format: csv }
            key: id
            fields:
              name: topic
              consent.consentToToShareInfoWithOthers: { const: true }
              consent.consentToContact: { const: true }
            writeback:
              format: dataverse-batch
              columns:
                referralId: new_referralid
            """)
        let job = try runner.write("job.yaml", "api: sandbox\nsources:\n  - path: x.csv\n    mapping: \(mapping)\n")
        let result = try await runner.run(["writeback", "--config", job])
        #expect(result.status == 2)
        #expect(result.stderr.contains("m.yaml:7:"), "\(result.stderr)")
        #expect(result.stderr.contains("entitySet"), "\(result.stderr)")
    }
}
