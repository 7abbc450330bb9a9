import Foundation
import Testing

@testable import Importers

/// `ImportOptions.readFields`: the CSV reader makes values only for the named columns, and decides
/// every record as it would without them.
@Suite struct CSVReadFieldsTests {
    @Test func onlyTheNamedColumnsGetValues() throws {
        let text = "Id,Topic,Checksum,Topic@OData.Community.Display.V1.FormattedValue\n1,\"Fleet \"\"X\"\"\",abc,Label\n"
        let options = ImportOptions(readFields: ["id", "topic", "topic@odata.community.display.v1.formattedvalue"])
        let (records, rejected, _) = try Fixture.read([try Fixture.file("a.csv", text)], options)
        #expect(rejected.isEmpty)
        #expect(records.first?.names == ["Id", "Topic", "Checksum", "Topic@OData.Community.Display.V1.FormattedValue"])
        #expect(records.first?.values == [.string("1"), .string("Fleet \"X\""), .null, .string("Label")])
    }

    @Test func anUnreadColumnStillRejectsItsRecord() throws {
        // Invalid UTF-8 in a column no one reads, and a row with a field too many: rejected alike.
        var bytes = Array("id,skip\n1,ok\n2,\"a\u{22}\u{22}".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"\n3,x,y\n".utf8)
        let path = try Fixture.file("b.csv", bytes)
        let all = try Fixture.read([path], ImportOptions(encoding: .utf8))
        let some = try Fixture.read([path], ImportOptions(encoding: .utf8, readFields: ["id"]))
        #expect(some.rejected == all.rejected)
        #expect(some.rejected.count == 2)
        #expect(some.rejected.first?.reason.contains("field 'skip' on line 3 is not valid UTF-8") == true)
        #expect(some.records.map(\.values) == [[.string("1"), .null]])
    }
}
