import Foundation
import Mapping
import Testing

@Suite struct YAMLGuardTests {
    /// A 500-byte billion laughs used as a mapping key: refused at once, before Yams expands it.
    static let bomb: String = {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1...8 { lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]") }
        return lines.joined(separator: "\n") + "\nfields:\n  ? *a8\n  : x\n"
    }()

    @Test func anAliasBombAsAKeyIsRefusedWithItsLine() {
        #expect {
            try MappingSpec.parse(yaml: Self.bomb, file: "bomb.yaml")
        } throws: { error in
            "\(error)".hasPrefix("bomb.yaml:11:1: explicit (`?`) mapping keys are not supported")
        }
        #expect(YAMLGuard.check("a: &x 1\n*x : 2\n")?.line == 2)
        #expect(YAMLGuard.check("m: { *x : 2 }\n")?.line == 1)
    }

    @Test func ordinaryMappingsPass() {
        #expect(YAMLGuard.check("name: t\nkey: id\nfields:\n  details.notes: \"*not an alias*\"\n  x: { const: '? no' }\n  list:\n    - *alias\n") == nil)
    }
}
