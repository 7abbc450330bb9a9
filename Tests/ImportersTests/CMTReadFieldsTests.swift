import Foundation
import Testing

@testable import Importers

/// `ImportOptions.readFields` in the CMT reader: a `<field>` no one reads keeps its name and gets
/// `.null`, and every record is decided (kept, or refused for a limit) as without it.
@Suite struct CMTReadFieldsTests {
    static func data(_ records: [String]) -> String {
        """
        <entities><entity name="lead"><records>
        \(records.joined(separator: "\n"))
        </records></entity></entities>
        """
    }

    @Test func onlyTheNamedFieldsGetValuesWhateverTheOrderOfEachRecord() throws {
        // The second record has the first's names, the third others in another order and a
        // lookup, the fourth the first's again: reused and fresh decisions both.
        let text = Self.data([
            #"<record id="a"><field name="subject" value="Fleet &amp; more" /><field name="skip" value="a long value nobody reads" /></record>"#,
            #"<record id="b"><field name="subject" value="Second subject" /><field name="skip" value="another unread value here" /></record>"#,
            #"<record id="c"><field name="skip" value="x" /><field name="Owner" value="u-1" lookupentity="systemuser" lookupentityname="Dana" /><field name="SUBJECT" value="Third" /></record>"#,
            #"<record id="d"><field name="subject" value="Fourth" /><field name="skip" value="y" /></record>"#,
        ])
        let options = ImportOptions(format: .cmtXML, readFields: ["@id", "subject", "owner@lookupentityname"])
        let some = try Fixture.read("data.xml", text, options)
        let all = try Fixture.read("data.xml", text, ImportOptions(format: .cmtXML))
        #expect(some.rejected.isEmpty && all.rejected.isEmpty)
        #expect(some.records.map(\.names) == all.records.map(\.names))
        #expect(some.records.map(\.values) == [
            [.string("lead"), .string("a"), .string("Fleet & more"), .null],
            [.string("lead"), .string("b"), .string("Second subject"), .null],
            [.string("lead"), .string("c"), .null, .null, .null, .string("Dana"), .string("Third")],
            [.string("lead"), .string("d"), .string("Fourth"), .null],
        ])
        // What is made is what the reader without the option makes, at the same positions.
        for (kept, whole) in zip(some.records, all.records) {
            for (value, full) in zip(kept.values, whole.values) where value != .null {
                #expect(value == full)
            }
        }
    }

    /// 40 bytes once decoded (`&amp;` is one byte), 44 as written: refused by a 39-byte field limit,
    /// kept by a 40-byte one, whether the mapping reads the field or not.
    @Test(arguments: [(39, 1), (40, 0)])
    func anUnreadFieldStillCountsTowardTheLimits(limit: Int, refused: Int) throws {
        let long = String(repeating: "x", count: 35) + "&amp;" + "yyyy"
        let text = Self.data([
            #"<record id="a"><field name="subject" value="ok" /><field name="skip" value="\#(long)" /></record>"#,
            #"<record id="b"><field name="subject" value="fine" /><field name="skip" value="short" /></record>"#,
        ])
        let limits = ImportOptions(format: .cmtXML, maxFieldBytes: limit)
        var reading = limits
        reading.readFields = ["@id", "subject"]
        let path = try Fixture.file("limits.xml", text)
        let all = try Fixture.read([path], limits)
        let some = try Fixture.read([path], reading)
        #expect(all.rejected.count == refused)
        #expect(some.rejected == all.rejected)
        #expect(some.records.map { $0.values[1] } == all.records.map { $0.values[1] })
    }
}
