import Foundation
import Testing

@testable import Importers

@Suite struct CSVReaderTests {
    @Test func quotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let text = "id,name,notes\r\n1,\"Smith, Ann\",\"said \"\"hi\"\"\r\nand left\"\r\n2,Bob,\"a\nb\rc\"\n3,Eve,plain\r"
        let (records, rejected, _) = try Fixture.read("a.csv", text)
        #expect(rejected.isEmpty)
        #expect(records.map { $0.text("id") } == ["1", "2", "3"])
        #expect(records[0].text("name") == "Smith, Ann")
        #expect(records[0].text("notes") == "said \"hi\"\r\nand left")
        #expect(records[1].text("notes") == "a\nb\rc")
        // Record 2 spans lines 4–6 (a LF and a lone CR inside its quotes).
        #expect(records.map(\.location.line) == [2, 4, 7])
        #expect(records.map(\.location.record) == [1, 2, 3])
    }

    @Test func bomAndDoNotModifyColumnsAreKept() throws {
        let text = "\u{FEFF}(Do Not Modify) Lead,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Topic\r\n6f1c0d2e-0000-0000-0000-000000000001,abc==,2024-05-01T10:00:00,Fleet upgrade\r\n"
        let (records, _, reader) = try Fixture.read("leads.csv", text)
        #expect(reader.header == nil || reader.header?.first == "(Do Not Modify) Lead")
        #expect(records.first?.names.first == "(Do Not Modify) Lead")
        #expect(records.first?.text("(do not modify) lead") == "6f1c0d2e-0000-0000-0000-000000000001")
        #expect(records.first?.text("Topic") == "Fleet upgrade")
    }

    @Test func raggedRowsAndUnterminatedQuotesAreRejectedAndReadingGoesOn() throws {
        let text = "a,b\n1,2\n3\n4,5,6\n\"7,8\n9,10\n"
        let (records, rejected, _) = try Fixture.read("r.csv", text)
        #expect(records.map { $0.text("a") } == ["1", "9"])
        #expect(rejected.count == 3)
        #expect(rejected.map(\.location.line) == [3, 4, 5])
        #expect(rejected[0].reason.contains("1 fields") && rejected[0].reason.contains("header has 2"))
        #expect(rejected[2].reason.contains("never closed"))
        // Every data line is accounted for.
        #expect(records.count + rejected.count == 5)
    }

    @Test func duplicateAndEmptyHeadersAreRenamedAndReported() throws {
        let (records, _, reader) = try Fixture.read("h.csv", "Email,,email\nx@y.z,2,3\n")
        #expect(records.first?.names == ["Email", "column2", "email_2"])
        #expect(reader.notices.count == 2)
    }

    @Test(arguments: [(";", "a;b\n1;2\n"), ("\t", "a\tb\n1\t2\n"), (",", "a,b\n1,2\n")])
    func delimiterIsSniffed(delimiter: String, text: String) throws {
        let (records, rejected, _) = try Fixture.read("d.csv", text)
        #expect(rejected.isEmpty)
        #expect(records.first?.text("b") == "2")
    }

    @Test func utf16WithBOMIsRead() throws {
        for (bom, littleEndian) in [([UInt8(0xFF), 0xFE], true), ([UInt8(0xFE), 0xFF], false)] {
            var bytes = bom
            for unit in "name\r\nZoë 😀\r\n".utf16 {
                let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
                bytes += littleEndian ? pair : pair.reversed()
            }
            let (records, rejected, _) = try Fixture.read([try Fixture.file("u.csv", bytes)])
            #expect(rejected.isEmpty)
            #expect(records.first?.text("name") == "Zoë 😀")
        }
    }

    @Test func windows1252IsDecodedExplicitlyOrByFallback() throws {
        // "Café – €5" in Windows-1252.
        let bytes: [UInt8] = Array("name\n".utf8) + [0x43, 0x61, 0x66, 0xE9, 0x20, 0x96, 0x20, 0x80, 0x35, 0x0A]
        let path = try Fixture.file("w.csv", bytes)
        let explicit = try Fixture.read([path], ImportOptions(encoding: .windows1252))
        #expect(explicit.records.first?.text("name") == "Café – €5")
        let auto = try Fixture.read([path])
        #expect(auto.records.first?.text("name") == "Café – €5")
        #expect(auto.reader.notices.contains { $0.contains("Windows-1252") })
        // Declared UTF-8 but not: rejected with the fix, never mojibake.
        let strict = try Fixture.read([path], ImportOptions(encoding: .utf8))
        #expect(strict.records.isEmpty)
        #expect(strict.rejected.first?.reason.contains("not valid UTF-8") == true)
    }

    @Test func nulBytesAreRejectedNotPassedOn() throws {
        let bytes: [UInt8] = Array("a,b\n1,".utf8) + [0] + Array("x\n2,3\n".utf8)
        let (records, rejected, _) = try Fixture.read([try Fixture.file("n.csv", bytes)])
        #expect(records.map { $0.text("a") } == ["2"])
        #expect(rejected.first?.reason.contains("NUL") == true)
    }

    @Test func aTenMegabyteFieldIsRead() throws {
        let big = String(repeating: "x", count: 10 << 20)
        let (records, rejected, _) = try Fixture.read("big.csv", "id,notes\n1,\"\(big)\"\n2,small\n")
        #expect(rejected.isEmpty)
        #expect(records.count == 2)
        #expect(records[0].text("notes")?.utf8.count == 10 << 20)
    }

    @Test func blankLinesAreSkippedAndTheLastLineNeedsNoBreak() throws {
        let (records, rejected, _) = try Fixture.read("b.csv", "a\n\n1\n\n2")
        #expect(rejected.isEmpty)
        #expect(records.map { $0.text("a") } == ["1", "2"])
    }

    @Test func gzipIsReadTransparently() throws {
        let path = try Fixture.file("g.csv", "a,b\n1,2\n")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", path]
        try gzip.run()
        gzip.waitUntilExit()
        let (records, _, _) = try Fixture.read([path + ".gz"])
        #expect(records.first?.text("b") == "2")
    }

    @Test func missingFileAndUnknownFormatNameTheFile() throws {
        #expect(throws: ImportError.self) { _ = try Fixture.read(["/nonexistent/leads.csv"]) }
        #expect(throws: ImportError.self) { _ = try RecordReader(paths: ["leads.xlsx"]) }
    }

    /// Values handed out again from the reader's `StringCache` are exactly the bytes of their own
    /// field: texts that share their length and their first and last eight bytes (the cache's key)
    /// but differ inside, quoted and unquoted spellings, non-ASCII text, and a field whose bytes
    /// match a cached text's key but are not valid UTF-8.
    @Test func repeatedValuesAreTheirOwnFieldsBytes() throws {
        let values = [
            "Durable Manufacturing", "Durable Manufacturing", "Durable_Manufacturing", "Durable Manufacturing",
            "Müller Maschinenbau GmbH", "Müller Maschinenbau GmbH", "Müller Maschinenbau GmbH",
            "said \"hi\" to the whole team", "said \"hi\" to the whole team",
        ]
        var bytes = Array("id,value\n".utf8)
        for (index, value) in values.enumerated() {
            let field = value.contains("\"") ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
            bytes += Array("\(index + 1),\(field)\n".utf8)
        }
        // "Durable Manufacturing" with one byte inside made invalid: same length, same ends.
        var invalid = Array("Durable Manufacturing".utf8)
        invalid[10] = 0xFF
        bytes += Array("\(values.count + 1),".utf8) + invalid + Array("\n".utf8)
        bytes += Array("\(values.count + 2),\"Durable Manufacturing\"\n".utf8)
        let (records, rejected, _) = try Fixture.readBounded("repeats.csv", bytes, ImportOptions(encoding: .utf8))
        #expect(records.map { $0.text("value") } == values + ["Durable Manufacturing"])
        #expect(rejected.count == 1)
        #expect(rejected.first?.reason.contains("not valid UTF-8") == true)
        #expect(rejected.first?.location.record == values.count + 1)
    }
}
