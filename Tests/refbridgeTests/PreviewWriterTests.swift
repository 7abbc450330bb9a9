import Foundation
import Importers
import Mapping
import Pipeline
import Referrals
import Testing

@testable import refbridge

@Suite struct PreviewWriterTests {
    static let mapping = """
        name: t
        key: id
        skip:
          - when: { field: company, empty: true }
            reason: no company
        fields:
          customerProfile.name: company
          customerProfile.address.country: country
          consent.consentToToShareInfoWithOthers: { const: true }
          consent.consentToContact: { const: false }
          details.notes: notes
          type: { const: Independent }
        """

    @Test func ndjsonLinesFollowTheContract() async throws {
        let runner = try CommandRunner()
        defer { runner.remove() }
        let input = try runner.write("leads.csv", "id,company,country,notes\ncrm-1,Fabrikam,GB,\"a \"\"quoted\"\" note\"\ncrm-2,,GB,x\n,Nope,GB,x\ncrm-1,Again,GB,x\n")
        let spec = try MappingSpec.parse(yaml: Self.mapping, file: "m.yaml")
        let stream = try RecordStream(sources: [StreamSource(files: [input], spec: spec)])
        let output = try #require(openOutputFile(runner.path("out.ndjson")))
        let writer = NDJSONPreviewWriter(output: output)
        while let chunk = try await stream.next() { writer.write(chunk.records) }
        writer.flush()
        let counts = stream.counts
        let lines = try String(contentsOfFile: runner.path("out.ndjson"), encoding: .utf8).split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(lines.count == 4 && counts.records == 4 && counts.mapped == 1 && counts.skipped == 1 && counts.rejected == 2)
        let source = try #require(lines[0]["source"] as? [String: Any])
        #expect(source["file"] as? String == input && source["record"] as? Int == 1 && source["line"] as? Int == 2)
        #expect(lines[0]["externalReferenceId"] as? String == "crm-1")
        let referral = try #require(lines[0]["referral"] as? [String: Any])
        // The exact bytes the client would POST.
        let mapped = try ReferralJSON.decode(try JSONSerialization.data(withJSONObject: referral))
        #expect(mapped.details?.notes == "a \"quoted\" note")
        #expect(lines[0]["warnings"] as? [String] == [])
        #expect(lines[1]["skipped"] as? String == "no company")
        #expect((lines[2]["errors"] as? [[String: String]])?.first?["field"] == "id")
        #expect((lines[3]["errors"] as? [[String: String]])?.first?["message"]?.contains("duplicate") == true)
    }

    @Test func htmlEscapesEverything() {
        let writer = HTMLPreviewWriter()
        let source = SourceRecord(location: SourceLocation(file: "x.csv", record: 1), names: ["<b>"], values: [.string("<script>alert(1)</script>")])
        writer.add(StreamRecord(location: source.location, externalId: "\"><img>", outcome: .rejected(issues: [MappingIssue(field: "f", message: "<i>")], isDuplicate: false), source: source))
        let page = writer.page(counts: StreamCounts(), notices: ["<b>note</b>"], mapping: "m&m.yaml")
        #expect(!page.contains("<script>") && !page.contains("<img>") && !page.contains("<i>") && !page.contains("<b>note"))
        #expect(page.contains("&lt;script&gt;") && page.contains("m&amp;m.yaml"))
    }

    @Test func terminalTextShowsControlsEscaped() {
        #expect(TerminalText.safe("plain · text") == "plain · text")
        #expect(TerminalText.safe("a\u{1B}[2Jb\u{9B}c\u{7F}") == "a\\u{1b}[2Jb\\u{9b}c\\u{7f}")
    }
}
