import Foundation
import Fixtures
import Testing

/// `preview`, `sync --dry-run` and `sync` read the same record stream: they must give every record
/// the same outcome (mapped ↔ created, skipped ↔ skipped, rejected ↔ rejected).
@Suite(.serialized) struct OutcomeAgreementTests {
    static func sample(_ name: String) -> String { CommandRunner.root.appendingPathComponent("samples/\(name)").path }
    static func preset(_ name: String) -> String { CommandRunner.root.appendingPathComponent("mappings/\(name).yaml").path }

    @Test(arguments: PresetSamples.pairs)
    func presetSamples(preset: String, samples: [String]) async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        try await Self.agree(runner, mapping: Self.preset(preset), files: samples.map(Self.sample))
    }

    /// 10,000 leads with rejects (no id, consent neither yes nor no), skips (status rules) and
    /// duplicate ids among them.
    @Test func aGeneratedExportWithRejectsSkipsAndDuplicates() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let lines = try String(contentsOfFile: Self.sample("dynamics-leads.csv"), encoding: .utf8)
            .split(separator: "\r\n", omittingEmptySubsequences: true).flatMap { $0.split(separator: "\n") }.map(String.init)
        let header = lines[0]
        let rows = lines.dropFirst().filter { $0.hasPrefix("000000d1-") }
        var text = header + "\n"
        var lastId = ""
        for index in 0..<10_000 {
            var row = rows[rows.index(rows.startIndex, offsetBy: index % rows.count)]
            let comma = row.firstIndex(of: ",")!
            var id = String(format: "%08x-0000-4000-8000-%012x", index, index)
            if index % 89 == 5 { id = "" }
            if index % 101 == 7 { id = lastId }
            lastId = id.isEmpty ? lastId : id
            row = id + row[comma...]
            if index % 97 == 3, row.hasSuffix(",Yes") { row = String(row.dropLast(3)) + "Perhaps" }
            text += row + "\n"
        }
        let csv = try runner.write("leads.csv", text)
        try await Self.agree(runner, mapping: Self.preset("dynamics-lead-excel-csv"), files: [csv], expectRejects: true)
    }

    static func agree(_ runner: CommandRunner, mapping: String, files: [String], expectRejects: Bool = false) async throws {
        let preview = try await runner.run(["preview", "--mapping", mapping, "--format", "ndjson"] + files)
        #expect(preview.status == (expectRejects ? 1 : 0), "\(preview.stderr)")
        var previewOutcomes: [String: String] = [:]
        for line in preview.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let source = try #require(object["source"] as? [String: Any])
            let place = "\(source["file"] as? String ?? ""):record \(source["record"] as? Int ?? -1)"
            previewOutcomes[place] = object["referral"] != nil ? "created" : object["skipped"] != nil ? "skipped" : "rejected"
        }

        let job = try runner.write("job.yaml", """
            api: sandbox
            sandbox:
              data: state/sandbox.json
            ledger: state/ledger.sqlite
            sources:
              - path: \(files.count == 1 ? files[0] : (files[0] as NSString).deletingLastPathComponent + "/" + Self.commonGlob(files))
                mapping: \(mapping)
            upload:
              concurrency: 16
            reports: state/reports
            """)
        let plan = try await runner.run(["sync", "--config", job, "--dry-run"])
        let run = try await runner.run(["sync", "--config", job])
        #expect(run.status == (expectRejects ? 1 : 0), "\(run.stderr)")

        var syncOutcomes: [String: String] = [:]
        let reports = runner.path("state/reports")
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: reports).first)
        for row in try CSVRows.read(reports + "/" + folder + "/success.csv").dropFirst() {
            syncOutcomes[Self.place(row[5])] = row[4].hasPrefix("skipped") ? "skipped" : "created"
        }
        for row in try CSVRows.read(reports + "/" + folder + "/errors.csv").dropFirst() {
            syncOutcomes[Self.place(row[1])] = row[2]
        }
        #expect(syncOutcomes.count == previewOutcomes.count)
        let differing = previewOutcomes.filter { syncOutcomes[$0.key] != $0.value }
        #expect(differing.isEmpty, "\(differing.prefix(5)) vs \(differing.prefix(5).map { syncOutcomes[$0.key] ?? "missing" })")

        let counts = Dictionary(grouping: previewOutcomes.values, by: { $0 }).mapValues(\.count)
        let wouldLine = "would create \(counts["created"] ?? 0), update 0, leave 0 unchanged, skip \(counts["skipped"] ?? 0), reject \(counts["rejected"] ?? 0)"
        #expect(plan.stdout.contains(wouldLine), "\(plan.stdout) vs \(wouldLine)")
        if expectRejects { #expect((counts["rejected"] ?? 0) > 100 && (counts["skipped"] ?? 0) > 100) }
    }

    /// `file:record 12 (line 14)` → `file:record 12`.
    static func place(_ source: String) -> String {
        source.range(of: " (line ").map { String(source[..<$0.lowerBound]) } ?? source
    }

    /// A glob matching exactly `files` (they share a prefix and an extension here).
    static func commonGlob(_ files: [String]) -> String {
        let names = files.map { ($0 as NSString).lastPathComponent }
        var prefix = names[0]
        for name in names.dropFirst() { while !name.hasPrefix(prefix) { prefix.removeLast() } }
        return prefix + "*" + "." + (names[0] as NSString).pathExtension
    }
}

/// A small RFC 4180 reader for the reports.
enum CSVRows {
    static func read(_ path: String) throws -> [[String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else {
                            quoted = false
                            handle(next)
                        }
                    } else { quoted = false }
                } else { field.append(character) }
            } else {
                handle(character)
            }
        }
        func handle(_ character: Character) {
            switch character {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\r\n", "\n": row.append(field); field = ""; rows.append(row); row = []
            default: field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
