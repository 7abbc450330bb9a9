import Foundation
import Testing

/// `refbridge init` as a user runs it: in a pipe (no terminal), writing a draft, refusing to
/// replace one without --force, and never crashing on a file it cannot read.
@Suite(.serialized) struct InitCommandTests {
    static let sample = CommandRunner.root.appendingPathComponent("samples/dynamics-leads.csv").path

    @Test func writesADraftPreviewsItAndListsWhatIsLeft() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        // Standard output is a file here, not a terminal: the command must not care.
        let run = try await runner.run(["init", Self.sample])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(runner.exists("mappings/dynamics-lead-excel-csv.yaml"))
        #expect(run.firstLine.hasPrefix("wrote mappings/dynamics-lead-excel-csv.yaml"))
        #expect(run.stdout.contains("24 records: 17 mapped, 7 skipped, 0 rejected"), "\(run.stdout)")
        #expect(run.stdout.contains("skipped 5: disqualified lead"))
        #expect(run.stdout.contains("REVIEW (required) consent"))
        #expect(!run.stdout.contains("\u{1B}["), "no terminal escapes in a pipe")
        let text = try String(contentsOfFile: runner.path("mappings/dynamics-lead-excel-csv.yaml"), encoding: .utf8)
        #expect(text.contains("key: \"(Do Not Modify) Lead\""))
        #expect(text.contains("customerProfile.name: Company Name   # display name 'Company Name'"))

        // Until consent is stated, the mapping does not load: preview stops with the loader's message.
        let preview = try await runner.run(["preview", "--mapping", "mappings/dynamics-lead-excel-csv.yaml", Self.sample])
        #expect(preview.status == 2)
        #expect(preview.stderr.contains("consent.consentToToShareInfoWithOthers is not mapped"))
    }

    @Test func refusesToReplaceAMappingWithoutForce() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let first = try await runner.run(["init", "--output", "leads.yaml", Self.sample])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try String(contentsOfFile: runner.path("leads.yaml"), encoding: .utf8)
        #expect(before.contains("name: leads"))
        try "# my edits\n".write(toFile: runner.path("leads.yaml"), atomically: true, encoding: .utf8)

        let again = try await runner.run(["init", "--output", "leads.yaml", Self.sample])
        #expect(again.status == 2)
        #expect(again.stderr.contains("leads.yaml already exists"))
        #expect(again.stderr.contains("--force"))
        #expect(try String(contentsOfFile: runner.path("leads.yaml"), encoding: .utf8) == "# my edits\n")

        let forced = try await runner.run(["init", "--output", "leads.yaml", "--force", Self.sample])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: runner.path("leads.yaml"), encoding: .utf8) == before)
    }

    @Test func unreadableInputAndUsageExitTwo() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let empty = try runner.write("empty.csv", "")
        let run = try await runner.run(["init", "--output", "x.yaml", empty])
        #expect(run.status == 2)
        #expect(run.stderr.contains("empty.csv"))
        #expect(!runner.exists("x.yaml"))
        let missing = try await runner.run(["init", "--output", "x.yaml", runner.path("nope.csv")])
        #expect(missing.status == 2)
        let usage = try await runner.run(["init"])
        #expect(usage.status == 2)
        let kind = try await runner.run(["init", "--kind", "account", Self.sample])
        #expect(kind.status == 2)
        // The export itself is never the output, even with --force.
        let export = try runner.write("leads.csv", try String(contentsOfFile: Self.sample, encoding: .utf8))
        let overExport = try await runner.run(["init", "--output", export, "--force", export])
        #expect(overExport.status == 2)
        #expect(overExport.stderr.contains("is one of the exports"))
        #expect(try String(contentsOfFile: export, encoding: .utf8) == String(contentsOfFile: Self.sample, encoding: .utf8))
    }
}
