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

    @Test func theSecondOfTwoOverlappingRunsStopsAndChangesNothing() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        // 17 creates of a second each: the second run starts well within the first, however
        // loaded the machine is.
        let job = try Self.slowJob(runner, latency: 1000)
        let (first, firstEnded) = try start(runner, ["sync", "--config", job], output: "first.out")
        // Wait until the first run holds the ledger (its ledger file exists), then start the second.
        for _ in 0..<300 where !runner.exists("state/ledger.sqlite") { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))
        let second = try await runner.run(["sync", "--config", job])
        let overlapped = first.isRunning
        for await _ in firstEnded {}
        #expect(overlapped, "the first run ended before the second: the test proves nothing")
        #expect(second.status == 3, "\(second.stdout) \(second.stderr)")
        #expect(second.stderr.contains("the ledger is in use by run 1 on "))
        #expect(first.terminationStatus == 0)
        // Exactly once: a third run finds every record created and sends nothing.
        let third = try await runner.run(["sync", "--config", job])
        #expect(third.status == 0 && third.stdout.contains("unchanged 17") && third.stdout.contains("API calls: 0"), "\(third.stdout)")
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
        // The killed run's report says so.
        let reports = runner.path("state/reports")
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: reports).first { $0.hasSuffix("-run1") })
        let summary = try String(contentsOfFile: reports + "/" + folder + "/summary.json", encoding: .utf8)
        #expect(summary.contains("\"state\" : \"interrupted\""))
    }
}
