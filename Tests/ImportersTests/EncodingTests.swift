import Foundation
import Testing

@testable import Importers

/// #11 items 7 and 11: a wrong or contradicted encoding never yields a silent "0 records".
@Suite struct EncodingTests {
    static let text = "name,city\r\nZoë,Leeds\r\nAnn,York\r\n"

    static func wide(_ text: String, bom: [UInt8], width: Int, littleEndian: Bool) -> [UInt8] {
        var bytes = bom
        if width == 2 {
            for unit in text.utf16 {
                let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
                bytes += littleEndian ? pair : pair.reversed()
            }
        } else {
            for scalar in text.unicodeScalars {
                let value = scalar.value
                let quad = [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
                bytes += littleEndian ? quad : quad.reversed()
            }
        }
        return bytes
    }

    @Test func aBOMWinsOverAContradictingEncodingWithANotice() throws {
        let path = try Fixture.file("le.csv", Self.wide(Self.text, bom: [0xFF, 0xFE], width: 2, littleEndian: true))
        for option in [TextEncodingOption.utf16be, .utf8, .windows1252] {
            let read = try Fixture.read([path], ImportOptions(encoding: option))
            #expect(read.rejected.isEmpty)
            #expect(read.records.map { $0.text("name") } == ["Zoë", "Ann"])
            let notice = read.reader.notices.first { $0.contains("byte order mark") }
            #expect(notice?.contains("UTF-16LE") == true && notice?.contains(option.rawValue) == true)
            // #11.11: never "without a BOM" about a file that has one.
            #expect(!read.reader.notices.contains { $0.contains("without a BOM") })
        }
    }

    @Test func utf16LEForcedOnASingleByteFileFailsClearly() throws {
        let bytes: [UInt8] = Array("name,city\r\nCaf".utf8) + [0xE9] + Array(",Leeds\r\nAnn,York\r\n".utf8)
        let path = try Fixture.file("w.csv", bytes)
        let error = #expect(throws: ImportError.self) { _ = try Fixture.read([path], ImportOptions(encoding: .utf16le)) }
        #expect(error?.message.contains("single-byte") == true)
        #expect(error?.message.contains("utf-16le") == true)
    }

    @Test(arguments: [true, false])
    func utf32WithItsBOMIsRead(littleEndian: Bool) throws {
        let bom: [UInt8] = littleEndian ? [0xFF, 0xFE, 0, 0] : [0, 0, 0xFE, 0xFF]
        let read = try Fixture.read([try Fixture.file("u32.csv", Self.wide(Self.text + "Emoji,😀\r\n", bom: bom, width: 4, littleEndian: littleEndian))])
        #expect(read.rejected.isEmpty)
        #expect(read.records.map { $0.text("city") } == ["Leeds", "York", "😀"])
    }

    /// The real Data Loader "UTF-32" test files: a 2-byte UTF-16 BOM over a UTF-32 body.
    @Test(arguments: [true, false])
    func aTwoByteBOMOverAUTF32BodyFailsClearly(littleEndian: Bool) throws {
        let body = Self.wide(Self.text, bom: [], width: 4, littleEndian: littleEndian)
        let path = try Fixture.file("bad32.csv", [0xFE, 0xFF] + body)
        let error = #expect(throws: ImportError.self) { _ = try Fixture.read([path]) }
        #expect(error?.message.contains("UTF-32") == true)
    }

    @Test func aNulWithABOMDoesNotBlameAMissingBOM() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\n1,".utf8) + [0] + Array("x\n".utf8)
        let read = try Fixture.read([try Fixture.file("n.csv", bytes)])
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.reason.contains("without a BOM") == false)
        #expect(read.rejected.first?.reason.contains("UTF-8 byte order mark") == true)
    }

    @Test func sniffTellsJSONXMLCSVAndGzipByTheirFirstBytes() throws {
        #expect(FileSniffer.sniff(bytes: Array("\u{FEFF}  {\"value\":[]}".utf8)) == .json)
        #expect(FileSniffer.sniff(bytes: Array("\n[{}]".utf8)) == .json)
        #expect(FileSniffer.sniff(bytes: Array("\n<entities>".utf8)) == .xml)
        #expect(FileSniffer.sniff(bytes: Array("Id,Name\n1,a".utf8)) == .csv)
        #expect(FileSniffer.sniff(bytes: Self.wide("<a/>", bom: [0xFF, 0xFE], width: 2, littleEndian: true)) == .xml)
        #expect(FileSniffer.sniff(bytes: [0x1F, 0x8B, 8, 0]) == .gzip)
        #expect(FileSniffer.sniff(bytes: Array(" \r\n".utf8)) == .empty)
        #expect(FileSniffer.sniff(bytes: [0x41, 0, 0x42, 0]) == .binary)
        let json = try Fixture.file("leads.csv", #"{"error":{"code":"0x80040217","message":"Does Not Exist"}}"#)
        let sniff = try FileSniffer.sniff(path: json)
        #expect(sniff.content == .json && !sniff.content.fits(.csv) && sniff.description == "JSON")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", json]
        try gzip.run()
        gzip.waitUntilExit()
        let compressed = try FileSniffer.sniff(path: json + ".gz")
        #expect(compressed.outer == .gzip && compressed.content == .json)
        #expect(compressed.description == "gzip-compressed JSON")
    }

    /// #11.9: `read --ndjson` prints fields in file order.
    @Test func jsonLinesKeepTheFileOrder() throws {
        let names = (0..<40).map { "field\($0)" }
        let record = SourceRecord(location: SourceLocation(file: "f", record: 1), names: names + ["field3"], values: names.map { .string("v" + $0) } + [.string("later")])
        var line: [UInt8] = []
        record.appendJSONLine(to: &line)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text == "{" + names.map { "\"\($0)\":\"v\($0)\"" }.joined(separator: ",") + "}\n")
        var escaped: [UInt8] = []
        SourceRecord(location: SourceLocation(file: "f", record: 1), names: ["a\"b", "n"], values: [.string("x\\y\n\u{1}é"), .null]).appendJSONLine(to: &escaped)
        let object = try JSONSerialization.jsonObject(with: Data(escaped)) as? [String: Any]
        #expect(object?["a\"b"] as? String == "x\\y\n\u{1}é")
        #expect(object?["n"] is NSNull)
    }
}
