import Testing

@testable import Importers

/// `SourceLocation.description` is written byte by byte (it is made for every record of a sync);
/// it must read as the plain interpolation would.
struct SourceLocationTests {
    static func reference(_ location: Importers.SourceLocation) -> String {
        var text = "\(location.file):record \(location.record)"
        if let line = location.line {
            text += " (line \(line)"
            if let column = location.column { text += ", column \(column)" }
            text += ")"
        }
        return text
    }

    @Test func readsAsTheInterpolation() {
        let numbers = [0, 1, 9, 10, 99, 100, 12_345, 1_000_000, -1, -10, Int.max, Int.min]
        for file in ["leads.csv", "", "/tmp/ä ö/Kontakte – 2026.csv", "🦄.xml"] {
            for record in numbers {
                for line in [nil] + numbers.map(Optional.some) {
                    for column in [nil, 0, 7, Int.min] {
                        let location = Importers.SourceLocation(file: file, record: record, line: line, column: column)
                        #expect(location.description == Self.reference(location))
                    }
                }
            }
        }
    }
}
