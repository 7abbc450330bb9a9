import Foundation
import Testing

/// Two runs of one job at once, and a run killed with SIGKILL: never a duplicate, never a miss.
@Suite(.serialized) struct OverlappingRunTests {
    /// The demo job, slowed down (one request at a time, `latency` ms each) so that runs overlap.
    static func slowJob(_ runner: CommandRunner, latency: Int = 300) throws -> String {
        try runner.write("job.yaml", """
            api: sandbox
            sandbox:
              data: state/sandbox.json
              latencyMs: \(latency)
            ledger: state/ledger.sqlite
            sources:
              - path: \(CommandTests.sample)
                mapping: \(CommandTests.preset)
            upload:
              concurrency: 1
            reports: state/reports
            """)
    }

    /// Rows in the first run's success.csv so far.
    static func successRows(_ runner: CommandRunner) -> Int {
        let reports = runner.path("state/reports")
        guard let folder = (try? FileManager.default.contentsOfDirectory(atPath: reports))?.first,
            let text = try? String(contentsOfFile: reports + "/" + folder + "/success.csv", encoding: .utf8)
        else { return 0 }
        return text.split(whereSeparator: \.isNewline).count - 1
    }

    /// Starts the command; `ended` finishes when it exits.
    func start(_ runner: CommandRunner, _ arguments: [String], output: String) throws -> (process: Process, ended: AsyncStream<Void>) {
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = arguments
        process.currentDirectoryURL = runner.folder
        _ = FileManager.default.createFile(atPath: runner.path(output), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: runner.path(output))
        process.standardError = FileHandle.nullDevice
        let ended = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in ended.continuation.finish() }
        try process.run()
        return (process, ended.stream)
    }

    /// Primary referral ids per external id in the in-process sandbox's journal (the connected
    /// referral of a shared one, targeted at Microsoft, is left out): more than one is a duplicate.
    static func referralsPerRecord(_ runner: CommandRunner) throws -> [String: Set<String>] {
        var ids: [String: Set<String>] = [:]
        let journal = try String(contentsOfFile: runner.path("state/sandbox.json"), encoding: .utf8)
        for line in journal.split(whereSeparator: \.isNewline) {
            guard let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let referral = entry["referral"] as? [String: Any],
                let id = referral["id"] as? String, let external = referral["externalReferenceId"] as? String
            else { continue }
            let targets = referral["target"] as? [[String: Any]] ?? []
            if targets.contains(where: { $0["id"] as? String == "msft" }) { continue }
            ids[external, default: []].insert(id)
        }
        return ids
    }

    @Test func theSecondOfTwoOverlappingRunsStopsAndChangesNothing() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        // Every answer takes ten minutes: the first run is still waiting on its first create when
        // the second has started and ended, however loaded the machine is (with three seconds an
        // answer, a machine loaded by parallel builds once let it finish first); it is then
        // killed, not awaited.
        let job = try Self.slowJob(runner, latency: 600_000)
        let (first, firstEnded) = try start(runner, ["sync", "--config", job], output: "first.out")
        // The first run holds the ledger once its report folder exists (lease, then run row, then report).
        for _ in 0..<600 where (try? FileManager.default.contentsOfDirectory(atPath: runner.path("state/reports")))?.isEmpty ?? true {
            try await Task.sleep(for: .milliseconds(100))
        }
        let second = try await runner.run(["sync", "--config", job])
        let overlapped = first.isRunning
        kill(first.processIdentifier, SIGKILL)
        for await _ in firstEnded {}
        try #require(overlapped, "the first run ended before the second: the test proves nothing")
        #expect(second.status == 3, "\(second.stdout) \(second.stderr)")
        #expect(second.stderr.contains("the ledger is in use by run 1 on "))
        #expect(second.stdout.isEmpty)
        // The killed holder's lease is taken over at once (its pid is gone), the work finishes, and
        // every record has exactly one referral.
        let fast = try Self.slowJob(runner, latency: 0)
        let resumed = try await runner.run(["sync", "--config", fast])
        #expect(resumed.status == 0, "\(resumed.stdout) \(resumed.stderr)")
        let again = try await runner.run(["sync", "--config", fast])
        #expect(again.stdout.contains("unchanged 17") && again.stdout.contains("API calls: 0"), "\(again.stdout)")
        let perRecord = try Self.referralsPerRecord(runner)
        #expect(perRecord.count == 17 && perRecord.values.allSatisfy { $0.count == 1 }, "\(perRecord.filter { $0.value.count != 1 })")
    }

    @Test func aRunKilledMidwayIsResumedExactlyOnce() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let job = try Self.slowJob(runner)
        let (first, firstEnded) = try start(runner, ["sync", "--config", job], output: "first.out")
        // Let it create a few referrals (its report shows them within a second), then kill it
        // without warning.
        for _ in 0..<600 where Self.successRows(runner) < 3 { try await Task.sleep(for: .milliseconds(100)) }
        kill(first.processIdentifier, SIGKILL)
        for await _ in firstEnded {}
        let second = try await runner.run(["sync", "--config", job])
        #expect(second.status == 0, "\(second.stdout) \(second.stderr)")
        #expect(second.stdout.contains("resumed after interrupted run 1"))
        let third = try await runner.run(["sync", "--config", job])
        #expect(third.stdout.contains("unchanged 17") && third.stdout.contains("API calls: 0"), "\(third.stdout)")
        let perRecord = try Self.referralsPerRecord(runner)
        #expect(perRecord.count == 17 && perRecord.values.allSatisfy { $0.count == 1 }, "\(perRecord.filter { $0.value.count != 1 })")
        // The killed run's report says so.
        let reports = runner.path("state/reports")
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: reports).first { $0.hasSuffix("-run1") })
        let summary = try String(contentsOfFile: reports + "/" + folder + "/summary.json", encoding: .utf8)
        #expect(summary.contains("\"state\" : \"interrupted\""))
    }
}
