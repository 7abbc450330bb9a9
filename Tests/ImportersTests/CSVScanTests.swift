import Foundation
import Testing

@testable import Importers
// The sandbox's seeded generator: the same records every run.
@testable import Sandbox

/// The CSV scan looks for field ends eight bytes at a time (`ByteTriple`): random records, with
/// fields of every length around a word's, quotes, delimiters and all three line breaks inside,
/// are read back exactly, with their line numbers, whether the bytes come in one piece or dribble
/// in a few at a time (every record then ends past the buffer's end many times over).
@Suite struct CSVScanTests {
    /// Hands out its bytes a few at a time after the first `whole` bytes (which the reader's
    /// encoding check reads at once).
    final class DribbleSource: ByteSource {
        private let bytes: [UInt8]
        private var offset = 0
        private var generator: SplitMix64
        private let whole: Int
        private(set) var consumed: Int64 = 0

        init(_ bytes: [UInt8], whole: Int, seed: UInt64) {
            self.bytes = bytes
            self.whole = whole
            generator = SplitMix64(seed: seed)
        }

        func read(into buffer: inout [UInt8], count: Int) throws -> Int {
            guard offset < bytes.count else { return 0 }
            let piece = offset < whole ? min(count, whole - offset) : Int.random(in: 1...13, using: &generator)
            let end = min(bytes.count, offset + piece)
            buffer.append(contentsOf: bytes[offset..<end])
            defer { offset = end }
            consumed += Int64(end - offset)
            return end - offset
        }
    }

    struct Expected {
        var values: [String]
        var line: Int
    }

    /// A CSV text of `rows` random records of `columns` fields after a header, and what each must read as.
    static func randomCSV(rows: Int, columns: Int, padding: Int, using generator: inout SplitMix64) -> (text: [UInt8], records: [Expected]) {
        let pieces = ["x", "yz", "é", " ", ",", "\"", "\n", "\r", "\r\n", "0123456789", "ab", "€"]
        var text = Array((1...columns).map { "h\($0)" }.joined(separator: ",").utf8) + [10]
        var records: [Expected] = []
        var line = 2
        // Plain records first, enough to fill the part the reader takes whole.
        let plain = Array((1...columns).map { _ in "p" }.joined(separator: ",").utf8) + [10]
        while text.count < padding {
            text += plain
            records.append(Expected(values: Array(repeating: "p", count: columns), line: line))
            line += 1
        }
        for row in 0..<rows {
            var values: [String] = []
            var encoded: [String] = []
            for _ in 0..<columns {
                let length = Int.random(in: 0...12, using: &generator)
                var value = ""
                for _ in 0..<length {
                    // Mostly plain text, so that fields of every length from 0 to 30 bytes appear.
                    value += Bool.random(using: &generator) ? "abcdefgh" : pieces.randomElement(using: &generator)!
                }
                values.append(value)
                let special = value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                encoded.append(special ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value)
            }
            let last = row == rows - 1 && Bool.random(using: &generator)
            let ending = last ? "" : ["\n", "\r\n", "\r"].randomElement(using: &generator)!
            let recordText = encoded.joined(separator: ",") + ending
            records.append(Expected(values: values, line: line))
            // Line breaks: LF, CRLF counting once, and a lone CR.
            let bytes = Array(recordText.utf8)
            for (index, byte) in bytes.enumerated() where byte == 10 || (byte == 13 && !(index + 1 < bytes.count && bytes[index + 1] == 10)) {
                line += 1
            }
            text += bytes
        }
        return (text, records)
    }

    static func check(_ text: [UInt8], _ expected: [Expected], dribble: Bool, seed: UInt64, columns: Int) throws {
        let source: any ByteSource = dribble ? DribbleSource(text, whole: ByteSources.chunkSize, seed: seed) : DribbleSource(text, whole: text.count, seed: seed)
        let reader = try CSVRecordReader(file: "random.csv", source: source, options: ImportOptions(delimiter: UInt8(ascii: ",")))
        let (records, rejected) = try reader.readAll()
        #expect(rejected.isEmpty, "seed \(seed): \(rejected.map(\.reason))")
        #expect(records.count == expected.count, "seed \(seed)")
        for (record, want) in zip(records, expected) {
            let got = (1...columns).map { record.text("h\($0)") ?? "<nil>" }
            #expect(got == want.values, "seed \(seed), line \(want.line)")
            #expect(record.location.line == want.line, "seed \(seed)")
            if got != want.values || record.location.line != want.line { return }
        }
    }

    @Test func randomRecordsReadBackExactly() throws {
        for seed in UInt64(1)...40 {
            var generator = SplitMix64(seed: seed)
            let columns = Int.random(in: 2...6, using: &generator)
            let (text, expected) = Self.randomCSV(rows: 60, columns: columns, padding: 0, using: &generator)
            try Self.check(text, expected, dribble: false, seed: seed, columns: columns)
        }
    }

    @Test func randomRecordsReadBackExactlyWhenTheBytesDribbleIn() throws {
        var generator = SplitMix64(seed: 2026)
        // Past the first chunk (read whole), every record crosses the buffer's end.
        let (text, expected) = Self.randomCSV(rows: 3_000, columns: 4, padding: ByteSources.chunkSize, using: &generator)
        try Self.check(text, expected, dribble: true, seed: 2026, columns: 4)
    }

    @Test func wordSearchFindsTheFirstOfThreeBytes() {
        let triple = ByteTriple(UInt8(ascii: ","), 10, 13)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<count).map { _ in [UInt8(ascii: "a"), 0, 0x80, 0xFF, 44, 10, 13, 12, 45].randomElement(using: &generator)! }
            let start = count == 0 ? 0 : Int.random(in: 0...count, using: &generator)
            let want = bytes[start...].firstIndex(where: { $0 == 44 || $0 == 10 || $0 == 13 }) ?? count
            let got = bytes.withUnsafeBufferPointer { triple.first(in: $0.baseAddress ?? UnsafePointer(bitPattern: 1)!, from: start, to: count) }
            #expect(got == want, "\(bytes) from \(start)")
        }
    }
}
