import Foundation
import Testing

@testable import Importers

@Suite struct JSONReaderTests {
    static let page1 = #"""
    {"@odata.context":"https://org.crm.dynamics.com/api/data/v9.2/$metadata#leads","value":[
      {"@odata.etag":"W/\"81052965\"","leadid":"a1","subject":"Fleet","statuscode":1,"statuscode@OData.Community.Display.V1.FormattedValue":"New","estimatedamount":20000.0000,"donotemail":false,"address1_composite":"1 Main St\r\nLeeds","_parentaccountid_value":null},
      {"leadid":"a2","subject":"Caf\u00e9 \ud83d\ude00","parentaccountid":{"name":"Contoso","address1_city":"York"},"tags":["x","y"]}
    ],"@odata.nextLink":"https://org.crm.dynamics.com/api/data/v9.2/leads?$skiptoken=%3Ccookie%20pagenumber=%222%22%20/%3E"}
    """#

    /// Strings are skipped eight bytes at a time (`JSONScan`) until a word may hold a quote, a
    /// backslash or a control character: each of those at every offset within a word, around
    /// non-ASCII text, must read exactly as Foundation's parser reads it, in names as in values, and
    /// a raw control character or a string cut short must still be refused.
    @Test func stringsReadAlikeWhereverTheirSpecialBytesFallInAWord() throws {
        // As JSON text: escapes (a quote, a backslash, a line break, é, a surrogate pair), raw UTF-8.
        let specials = [#"\""#, #"\\"#, #"\n"#, #"\u00e9"#, "é", "😀", #"\t"#, "/", #"\ud83d\ude00"#]
        var lines: [String] = []
        for length in 0..<20 {
            for special in specials {
                for position in 0...length {
                    var text = String(repeating: "a", count: length)
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    lines.append(#"{"k\#(text)":"\#(text)","n":"\#(String(repeating: "b", count: length))"}"#)
                }
            }
        }
        let read = try Fixture.read("s.ndjson", lines.joined(separator: "\n"))
        #expect(read.rejected.isEmpty)
        #expect(read.records.count == lines.count)
        for (record, line) in zip(read.records, lines) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            let name = try #require(object.keys.first { $0.hasPrefix("k") })
            #expect(record.names == [name, "n"], "\(line)")
            #expect(record.text(name) == object[name] && record.text("n") == object["n"], "\(line)")
        }
        // A raw control character, a string cut short, and one cut inside an escape, at many lengths.
        for length in 0..<20 {
            let plain = String(repeating: "c", count: length)
            let bad = [#"{"a":"\#(plain)\#u{01}x"}"#, #"{"a":"\#(plain)"#, #"{"a":"\#(plain)\"#, #"{"\#(plain)\#u{1F}":1}"#]
            let result = try Fixture.read("bad.ndjson", bad.joined(separator: "\n"))
            #expect(result.records.isEmpty && result.rejected.count == bad.count, "\(length)")
        }
    }

    @Test func odataPagesReadAsOneStreamWithAnnotations() throws {
        let page2 = #"{"@odata.context":"x","value":[{"leadid":"a3"}]}"#
        let (records, rejected, _) = try Fixture.read([try Fixture.file("p1.json", Self.page1), try Fixture.file("p2.json", page2)])
        #expect(rejected.isEmpty)
        #expect(records.map { $0.text("leadid") } == ["a1", "a2", "a3"])
        let first = records[0]
        #expect(first["statuscode"] == .number("1"))
        #expect(first.text("statuscode@OData.Community.Display.V1.FormattedValue") == "New")
        #expect(first["estimatedamount"] == .number("20000.0000"))
        #expect(first["donotemail"] == .bool(false))
        #expect(first["_parentaccountid_value"] == .null)
        #expect(first.text("address1_composite") == "1 Main St\r\nLeeds")
        #expect(first.text("@odata.etag") == "W/\"81052965\"")
        #expect(records[1].text("subject") == "Café 😀")
        #expect(records[1].text("parentaccountid.address1_city") == "York")
        #expect(records[1].text("tags.1") == "y")
        #expect(records[2].location.file.hasSuffix("p2.json") && records[2].location.record == 1)
    }

    @Test func plainArrayAndNDJSON() throws {
        let array = try Fixture.read("a.json", #"[{"id":1},{"id":2}]"#)
        #expect(array.records.map { $0.text("id") } == ["1", "2"])
        let lines = try Fixture.read("l.ndjson", "{\"id\":1}\n\n{\"id\":2}\r\n{\"id\":3}")
        #expect(lines.records.map { $0.text("id") } == ["1", "2", "3"])
        #expect(lines.records.map(\.location.line) == [1, 3, 4])
    }

    @Test func aBrokenRecordIsRejectedWithItsLocationAndTheRestIsRead() throws {
        let (records, rejected, _) = try Fixture.read("b.ndjson", "{\"id\":1}\n{\"id\":2,,}\n{\"id\":3}\n")
        #expect(records.map { $0.text("id") } == ["1", "3"])
        #expect(rejected.first?.location.line == 2)
        #expect(rejected.first?.location.column == 9)
        let inArray = try Fixture.read("b.json", "[{\"id\":1},\n{\"id\": tru},\n{\"id\":3}]")
        #expect(inArray.records.map { $0.text("id") } == ["1", "3"])
        #expect(inArray.rejected.first?.location.line == 2)
    }

    @Test func aTruncatedFileYieldsTheRecordsBeforeAndALocatedError() throws {
        let (records, rejected, _) = try Fixture.read("t.json", #"{"value":[{"id":1},{"id":2},{"id":3,"na"#)
        #expect(records.map { $0.text("id") } == ["1", "2"])
        #expect(rejected.count == 1)
        #expect(rejected[0].reason.contains("truncated"))
    }

    @Test func aBigArrayIsStreamed() throws {
        var text = "["
        for index in 0..<20_000 { text += (index > 0 ? "," : "") + "{\"id\":\(index),\"notes\":\"\(String(repeating: "n", count: 100))\"}" }
        text += "]"
        let (records, rejected, _) = try Fixture.read("big.json", text)
        #expect(rejected.isEmpty && records.count == 20_000)
        #expect(records.last?.text("id") == "19999")
    }

    /// #10: `[}]` and a `}` too many after a record made the array state stand still for ever.
    @Test(arguments: [
        ("[}]", 0), (#"[{"leadid":"a1"}}]"#, 1), (#"[{"leadid":"a1"},}]"#, 1), ("[:]", 0), (#"{"value":[{"id":1}],]}"#, 1),
        (#"{"value":[{"id":1}], "x": }"#, 1), (#"{"value":[{"id":1}], 5}"#, 1), ("[{\"a\":1} ]]", 1),
    ])
    func malformedArraysStopWithALocatedError(text: String, good: Int) throws {
        let read = try Fixture.readBounded("m.json", Array(text.utf8))
        #expect(read.ended)
        #expect(read.records.count == good)
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.location.line == 1)
    }
}
