import Foundation
import Testing

@testable import Importers

/// #10 item 7: records and fields over their limits are rejected with their place while the reader
/// holds no more than about the limit, and reading goes on. Small limits stand in for the defaults.
@Suite struct LimitsTests {
    static let small = ImportOptions(maxRecordBytes: 1024, maxFieldBytes: 512)
    /// More than any buffer a 1 KB limit allows (one 1 MB read beyond the record), far less than the input.
    static let bound = 3 << 20
    static let big = 8 << 20

    @Test func aCSVLineOverTheLimitIsSkippedUnheld() throws {
        let source = GeneratedSource([.text("a,b\n1,2\n"), .fill(UInt8(ascii: "x"), Self.big), .text(",3\n4,5\n")])
        let reader = try CSVRecordReader(file: "l.csv", source: source, options: Self.small)
        let read = try reader.readAll()
        #expect(read.records.map { $0.text("a") } == ["1", "4"])
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.location.line == 3)
        #expect(read.rejected.first?.reason.contains("record limit") == true)
        #expect(read.records.last?.location.line == 4)
        #expect(source.largestBuffer < Self.bound)
    }

    @Test func aStrayQuoteIsRejectedAtTheLimitAndReadingResyncs() throws {
        let row = String(repeating: "x", count: 400) + ",y\n"
        let source = GeneratedSource([.text("a,b\n1,2\n\"oops,3\n"), .rows(row, Self.big / row.utf8.count), .text("4,5\n")])
        let reader = try CSVRecordReader(file: "q.csv", source: source, options: Self.small)
        let read = try reader.readAll()
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.location.line == 3)
        #expect(read.records.count == 2 + Self.big / row.utf8.count)
        #expect(read.records.last?.text("a") == "4")
        #expect(source.largestBuffer < Self.bound)
    }

    @Test func aCSVFieldOverTheFieldLimitIsRejectedByName() throws {
        let text = "id,notes\n1,\"\(String(repeating: "n", count: 600))\"\n2,ok\n"
        let read = try Fixture.read("f.csv", text, Self.small)
        #expect(read.records.map { $0.text("id") } == ["2"])
        #expect(read.rejected.first?.location.line == 2)
        #expect(read.rejected.first?.reason.contains("field 'notes'") == true)
    }

    @Test func aCSVHeaderOverTheLimitStopsTheFile() throws {
        let source = GeneratedSource([.fill(UInt8(ascii: "h"), Self.big), .text("\n1\n")])
        let reader = try CSVRecordReader(file: "h.csv", source: source, options: Self.small)
        #expect(throws: ImportError.self) { _ = try reader.readAll() }
        #expect(source.largestBuffer < Self.bound)
    }

    @Test func aJSONStringOverTheLimitIsSkippedUnheld() throws {
        let source = GeneratedSource([.text(#"[{"a":"1"},{"a":""#), .fill(UInt8(ascii: "x"), Self.big), .text(#"\"q\\"},{"a":"3"}]"#)])
        let reader = JSONRecordReader(file: "s.json", source: source, lineDelimited: false, options: Self.small)
        let read = try reader.readAll()
        #expect(read.records.map { $0.text("a") } == ["1", "3"])
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.location.record == 2)
        #expect(source.largestBuffer < Self.bound)
    }

    @Test func aSingleJSONObjectOverTheLimitIsRejected() throws {
        let source = GeneratedSource([.text(#"{"a":""#), .fill(UInt8(ascii: "x"), Self.big), .text(#""}"#)])
        let reader = JSONRecordReader(file: "o.json", source: source, lineDelimited: false, options: Self.small)
        let read = try reader.readAll()
        #expect(read.records.isEmpty && read.rejected.count == 1)
        #expect(read.rejected.first?.reason.contains("record limit") == true)
        #expect(source.largestBuffer < Self.bound)
    }

    @Test func anNDJSONLineOverTheLimitIsSkippedUnheld() throws {
        let source = GeneratedSource([.text("{\"a\":1}\n{\"a\":\""), .fill(UInt8(ascii: "x"), Self.big), .text("\"}\n{\"a\":3}\n")])
        let reader = JSONRecordReader(file: "l.ndjson", source: source, lineDelimited: true, options: Self.small)
        let read = try reader.readAll()
        #expect(read.records.map { $0.text("a") } == ["1", "3"])
        #expect(read.rejected.first?.location.line == 2)
        #expect(read.records.last?.location.line == 3)
        #expect(source.largestBuffer < Self.bound)
    }

    @Test func aJSONFieldOverTheFieldLimitIsRejectedByName() throws {
        let text = "[{\"id\":1,\"notes\":\"\(String(repeating: "n", count: 600))\"},{\"id\":2}]"
        let read = try Fixture.read("f.json", text, Self.small)
        #expect(read.records.map { $0.text("id") } == ["2"])
        #expect(read.rejected.first?.reason.contains("field 'notes'") == true)
    }

    @Test func xmlTextSplitByCommentsIsBoundedByTheLimits() throws {
        let piece = String(repeating: "x", count: 300) + "<!-- -->"
        let text = "<export><lead id=\"1\"><notes>" + String(repeating: piece, count: 40) + "</notes></lead><lead id=\"2\"><notes>ok</notes></lead></export>"
        let options = ImportOptions(format: .xml, recordElement: "lead", maxRecordBytes: 1024, maxFieldBytes: 100_000)
        let read = try Fixture.read("c.xml", text, options)
        #expect(read.records.map { $0.text("id") } == ["2"])
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.reason.contains("record limit") == true)
        var fieldLimit = options
        fieldLimit.maxFieldBytes = 500
        fieldLimit.maxRecordBytes = 100_000
        let byField = try Fixture.read("c.xml", text, fieldLimit)
        #expect(byField.records.map { $0.text("id") } == ["2"])
        #expect(byField.rejected.first?.reason.contains("field 'notes'") == true)
    }

    @Test func cmtRecordOverTheLimitIsRejectedAndTheNextIsRead() throws {
        let value = String(repeating: "v", count: 400)
        var text = "<entities><entity name=\"lead\"><records><record id=\"1\">"
        for index in 0..<5 { text += "<field name=\"f\(index)\" value=\"\(value)\"/>" }
        text += "</record><record id=\"2\"><field name=\"f0\" value=\"ok\"/></record></records></entity></entities>"
        let read = try Fixture.read("data.xml", text, Self.small)
        #expect(read.records.map { $0.text("@id") } == ["2"])
        #expect(read.records.first?.names == ["@entity", "@id", "f0"])
        #expect(read.rejected.first?.location.record == 1)
    }

    @Test func aGzipBombIsRefusedByItsRatio() throws {
        let path = try Fixture.file("bomb.csv", "a\n" + String(repeating: "x", count: 4 << 20) + "\n")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", path]
        try gzip.run()
        gzip.waitUntilExit()
        guard let file = fopen(path + ".gz", "rb") else { throw ImportError(file: path, message: "no gzip") }
        let source = try GzipByteSource(source: FileByteSource(file: file), path: path + ".gz", maxRatio: 100, ratioFloor: 1 << 20)
        var buffer: [UInt8] = []
        #expect(throws: ImportError.self) {
            while try source.read(into: &buffer, count: 1 << 16) > 0 { buffer.removeAll(keepingCapacity: true) }
        }
        // The defaults read the same file: its 4 MB output stays under the floor.
        let plain = try Fixture.read([path + ".gz"])
        #expect(plain.records.count == 1)
    }

    /// libxml2 holds a node whole until it ends: a record that runs on (text split into many nodes by
    /// comments) stops the file once it passes the limit, before the rest is read.
    @Test func anXMLRecordRunningPastTheLimitStopsReadingEarly() throws {
        let piece = String(repeating: "x", count: 5000) + "<!-- -->"
        let source = GeneratedSource([.text("<export><lead id=\"1\"/><lead id=\"2\"><notes>"), .rows(piece, Self.big / piece.utf8.count), .text("</notes></lead><lead id=\"3\"/></export>")])
        let reader = try XMLRecordReader(file: "r.xml", source: source, recordElement: "lead", options: Self.small)
        let read = try reader.readAll()
        #expect(read.records.map { $0.text("id") } == ["1"])
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.reason.contains("record 2, from line 1,") == true)
        #expect(source.consumed < Self.bound)
    }
}
