import Foundation
import Importers
import Mapping
import MappingDraft
import Pipeline
import Testing

/// Whatever a file's headers and values hold, the draft is valid YAML that reads back as exactly
/// those names, and nothing crashes.
@Suite struct HostileInputTests {
    @Test func oddHeadersReadBackExactly() async throws {
        let folder = try DraftTestSupport.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("odd.csv").path
        // Quotes, colons, a comment sign, braces, a leading dash, a YAML word, a line break and an alias sign.
        let csv = #""id: #1","E-mail ""work""","Country {x}","- Company","Amount & more","yes","Status","line"#
            + "\n" + #"break","*alias","Ünïcode Näme""# + "\n"
            + "a1,x@y.example,DE,Acme,\"1,00\",true,Open,a,b,c\n"
            + "a2,z@y.example,Germany,Beta,\"2,50\",false,Closed Lost,a,b,c\n"
            + "a3,not-an-email,Atlantis,Gamma,\"3,75\",true,Open,a,b,c\n"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let draft = MappingDrafter.draft(try ExportSample.read([path]))
        let spec = try MappingSpec.parse(yaml: draft.yamlForPreview, file: "odd.yaml")
        // Every column the draft names is a real header name, spelled exactly.
        let header = ["id: #1", "E-mail \"work\"", "Country {x}", "- Company", "Amount & more", "yes", "Status", "line\nbreak", "*alias", "Ünïcode Näme"]
        for name in spec.sourceFieldNames { #expect(header.contains(name), "\(name)\n\(draft.yaml)") }
        #expect(spec.check(header: header).isEmpty)
        #expect(draft.reviews.contains { $0.message.contains("Atlantis") })
        let counts = try await DraftPreview.run(draft, files: [path], mappingFile: "odd.yaml")
        #expect(counts.counts.records == 3)
    }

    @Test func unreadableFilesAreErrorsNotCrashes() throws {
        let folder = try DraftTestSupport.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.csv").path
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(throws: ImportError.self) { try ExportSample.read([empty]) }
        let binary = folder.appendingPathComponent("binary.csv").path
        try Data([0x00, 0x01, 0x02, 0xFF, 0x00, 0x41]).write(to: URL(fileURLWithPath: binary))
        #expect(throws: ImportError.self) { try ExportSample.read([binary]) }
        #expect(throws: ImportError.self) { try ExportSample.read([folder.appendingPathComponent("missing.csv").path]) }
        let json = folder.appendingPathComponent("broken.json").path
        try "{\"value\": [ {\"a\": 1}, {\"a\": ".write(toFile: json, atomically: true, encoding: .utf8)
        // A truncated page: the records before the break are sampled, or the reader's error is thrown.
        _ = try? ExportSample.read([json]).fields
    }

    /// The sample stops at its limit: a big file is not read to its end for drafting.
    @Test func theSampleIsBounded() throws {
        let folder = try DraftTestSupport.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("big.csv").path
        var text = "Id,Company,Email,Country\n"
        for index in 0..<300 { text += "r\(index),Company \(index),p\(index)@x.example,FR\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let sample = try ExportSample.read([path], limit: 100)
        #expect(sample.records == 100)
        #expect(sample.reachedLimit)
        #expect(sample.field("Company")?.manyValues == false)
        #expect((sample.field("Company")?.values.count ?? 0) <= FieldProfile.maxDistinct)
    }
}
