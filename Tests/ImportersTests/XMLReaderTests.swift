import Foundation
import Testing

@testable import Importers

@Suite struct XMLReaderTests {
    static let cmt = """

    <entities xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" timestamp="2025-06-29T16:27:50.4009413Z">
      <entity name="lead" displayname="Lead">
        <records>
          <record id="11111111-0000-0000-0000-000000000001">
            <field name="subject" value="Fleet &amp;lt;upgrade&amp;gt;" />
            <field name="estimatedamount" value="4325.0000000000" />
            <field name="donotemail" value="False" />
            <field name="ownerid" value="22222222-0000-0000-0000-000000000002" lookupentity="systemuser" lookupentityname="# Dataverse App User" />
          </record>
          <record id="11111111-0000-0000-0000-000000000002">
            <field name="subject" value="Second" />
          </record>
        </records>
        <m2mrelationships />
      </entity>
      <entity name="account" displayname="Account">
        <records>
          <record id="33333333-0000-0000-0000-000000000003"><field name="name" value="Contoso" /></record>
        </records>
        <m2mrelationships />
      </entity>
    </entities>
    """

    @Test func cmtRecordsWithLookupsAndSeveralEntities() throws {
        let path = try Fixture.file("data.xml", Self.cmt)
        let all = try Fixture.read([path])
        #expect(all.rejected.isEmpty)
        #expect(all.records.map { $0.text("@entity") } == ["lead", "lead", "account"])
        let first = all.records[0]
        #expect(first.text("@id") == "11111111-0000-0000-0000-000000000001")
        // XML-escaped over the tool's HTML encoding: the value the CRM held.
        #expect(first.text("subject") == "Fleet <upgrade>")
        #expect(first.text("estimatedamount") == "4325.0000000000")
        #expect(first.text("ownerid@lookupentity") == "systemuser")
        #expect(first.text("ownerid@lookupentityname") == "# Dataverse App User")
        #expect(first.location.line == 5)
        let leads = try Fixture.read([path], ImportOptions(entity: "Lead"))
        #expect(leads.records.count == 2)
    }

    @Test func cmtNamesFollowEachRecordWhenFieldsChangeOrderOrCount() throws {
        // The reader reuses the names of the record before where they match: each record must
        // still get exactly its own names, in its own order.
        let text = """
        <entities><entity name="lead"><records>
          <record id="1"><field name="a" value="1" /><field name="b" value="2" /></record>
          <record id="2"><field name="a" value="3" /><field name="b" value="4" /></record>
          <record id="3"><field name="b" value="5" /><field name="a" value="6" /><field name="c" value="7" lookupentity="x" /></record>
          <record id="4"><field name="b" value="8" /><field name="a" value="9" /></record>
          <record id="5"><field value="10" name="bb" /><field name="a" value="11" /></record>
          <record id="6" />
        </records></entity></entities>
        """
        let records = try Fixture.read("d.xml", text).records
        #expect(records.map(\.names) == [
            ["@entity", "@id", "a", "b"], ["@entity", "@id", "a", "b"], ["@entity", "@id", "b", "a", "c", "c@lookupentity"],
            ["@entity", "@id", "b", "a"], ["@entity", "@id", "bb", "a"], ["@entity", "@id"],
        ])
        #expect(records.map { $0.text("a") } == ["1", "3", "6", "9", "11", nil])
        #expect(records[2].text("c@lookupentity") == "x" && records[4].text("bb") == "10")
    }

    @Test func cmtValuesAndLookupNamesFollowEachRecordWhenTheRecordBeforeIsReused() throws {
        // The reader hands out the record before's String where a long value (or a lookup's joined
        // name) has the same bytes at the same position: each record must still read its own.
        let long = "aaaaaaaa-0000-0000-0000-000000000001"
        let text = """
        <entities><entity name="lead"><records>
          <record id="1"><field name="owner" value="\(long)" lookupentity="systemuser" lookupentityname="# Dataverse App User" /></record>
          <record id="2"><field name="owner" value="\(long)" lookupentity="systemuser" lookupentityname="# Dataverse App User" /></record>
          <record id="3"><field name="owner" value="\(long.dropLast())2" lookupentity="team" lookupentityname="# Dataverse App Team" /></record>
          <record id="4"><field name="ownerx" value="R&amp;amp;D &amp;quot;quoted&amp;quot; long value" lookupentity="systemuser" /></record>
          <record id="5"><field name="ownerx" value="R&amp;amp;D &amp;quot;quoted&amp;quot; long value" lookupentityname="systemuser" /></record>
          <record id="6"><field name="owner" lookupentity="systemuser" lookupentityname="# Dataverse App User" /></record>
          <record id="7"><field name="owner" value="# Dataverse App User" lookupentity="x" /><field name="o" value="\(long)" /></record>
        </records></entity></entities>
        """
        let records = try Fixture.read("d.xml", text).records
        #expect(records.map(\.names) == [
            ["@entity", "@id", "owner", "owner@lookupentity", "owner@lookupentityname"],
            ["@entity", "@id", "owner", "owner@lookupentity", "owner@lookupentityname"],
            ["@entity", "@id", "owner", "owner@lookupentity", "owner@lookupentityname"],
            ["@entity", "@id", "ownerx", "ownerx@lookupentity"],
            ["@entity", "@id", "ownerx", "ownerx@lookupentityname"],
            ["@entity", "@id", "owner", "owner@lookupentity", "owner@lookupentityname"],
            ["@entity", "@id", "owner", "owner@lookupentity", "o"],
        ])
        #expect(records.map { $0.text("owner") } == [long, long, String(long.dropLast()) + "2", nil, nil, nil, "# Dataverse App User"])
        #expect(records.map { $0.text("owner@lookupentity") } == ["systemuser", "systemuser", "team", nil, nil, "systemuser", "x"])
        #expect(records.map { $0.text("owner@lookupentityname") } == ["# Dataverse App User", "# Dataverse App User", "# Dataverse App Team", nil, nil, "# Dataverse App User", nil])
        // HTML-decoded once, also when the bytes repeat the record before's.
        #expect(records[3].text("ownerx") == "R&D \"quoted\" long value" && records[4].text("ownerx") == "R&D \"quoted\" long value")
        #expect(records[4].text("ownerx@lookupentityname") == "systemuser" && records[6].text("o") == long)
        #expect(records[5].values[2] == .null)
    }

    /// Attribute and element names are told apart by their address in libxml2's dictionary once
    /// known (`CMTAttributeNames`): names that differ by a letter, other orders, a prefix, and
    /// enough records that the parser is fed many chunks must read as when compared by bytes.
    @Test func cmtAttributeNamesAreRecognisedByNameOnlyInAnyOrderAcrossChunks() throws {
        var text = #"<entities xmlns:x="urn:x"><entity name="lead"><records>"#
        for index in 0..<3_000 {
            text += """
            <record id="\(index)"><field nam="no" names="no" name="a" valu="no" value="v\(index)" values="no" />\
            <fields name="no" value="no" /><Field name="no" value="no" />\
            <field lookupentityname="N\(index)" lookupentity="e" value="w" name="b" lookupentitynames="no" />\
            <field x:value="prefixed" name="c" /></record>
            """
        }
        text += "</records></entity></entities>"
        let read = try Fixture.read("d.xml", text)
        #expect(read.rejected.isEmpty)
        #expect(read.records.count == 3_000)
        for (index, record) in read.records.enumerated() {
            #expect(record.names == ["@entity", "@id", "a", "b", "b@lookupentity", "b@lookupentityname", "c"])
            #expect(record.text("a") == "v\(index)" && record.text("b") == "w" && record.text("b@lookupentity") == "e")
            #expect(record.text("b@lookupentityname") == "N\(index)")
            // As before: an attribute's prefix is not looked at, only its local name.
            #expect(record.text("c") == "prefixed")
            if record.text("a") != "v\(index)" { break }
        }
    }

    @Test func genericRecordXML() throws {
        let text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <export><lead id="a1" source="web"><name>Ann</name><address><city>Leeds</city></address></lead><lead id="a2"><name/></lead></export>
        """
        let (records, rejected, _) = try Fixture.read([try Fixture.file("g.xml", text)], ImportOptions(format: .xml, recordElement: "lead"))
        #expect(rejected.isEmpty)
        #expect(records.count == 2)
        #expect(records[0].text("id") == "a1" && records[0].text("source") == "web")
        #expect(records[0].text("name") == "Ann" && records[0].text("address.city") == "Leeds")
        #expect(records[1]["name"] == .null)
    }

    @Test func xxeAndBillionLaughsAreRefused() throws {
        let secret = try Fixture.file("secret.txt", "TOP-SECRET")
        let xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE entities [<!ENTITY x SYSTEM "file://\(secret)">]>
        <entities><entity name="lead"><records><record id="1"><field name="subject" value="&x;"/></record></records></entity></entities>
        """
        let read = try Fixture.read([try Fixture.file("xxe.xml", xxe)], ImportOptions(format: .cmtXML))
        #expect(read.records.isEmpty)
        #expect(read.rejected.count == 1)
        #expect(!read.rejected[0].reason.contains("TOP-SECRET"))
        var laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        for level in 1...9 { laughs += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">" }
        laughs += "]>\n<entities><entity name=\"lead\"><records><record id=\"1\"><field name=\"subject\" value=\"&lol9;\"/></record></records></entity></entities>"
        let bomb = try Fixture.read([try Fixture.file("lol.xml", laughs)], ImportOptions(format: .cmtXML))
        #expect(bomb.records.isEmpty && bomb.rejected.count == 1)
    }

    @Test func malformedXMLYieldsTheRecordsBeforeAndTheErrorLocation() throws {
        // Enough good records that the error lies well past libxml2's first read-ahead.
        var text = "<entities><entity name=\"lead\"><records>\n"
        for index in 1...200 { text += "<record id=\"\(index)\"><field name=\"a\" value=\"\(index)\"/></record>\n" }
        text += "<record id=\"bad\"><field name=\"a\" value=\"2\"></record></records></entity></entities>"
        let (records, rejected, _) = try Fixture.read([try Fixture.file("m.xml", text)])
        #expect(records.count >= 150)
        #expect(records.first?.text("@id") == "1")
        #expect(rejected.count == 1)
        #expect(rejected[0].location.line == 202)
        #expect(rejected[0].reason.contains("malformed"))
    }

    /// #11.3: the Configuration Migration tool HTML-encodes text before writing it as XML, and its
    /// own importer decodes it; this reproduces what the real exports hold.
    @Test func cmtTextIsHTMLDecodedOnce() throws {
        let text = """

        <entities><entity name="account" displayname="Account"><records>
          <record id="1">
            <field name="name" value="Ascent Audiology &amp;amp; Hearing" />
            <field name="websiteurl" value="https://teams.example/l/team?groupId=5d&amp;amp;tenantId=7e" />
            <field name="description" value="Root &amp;lt;&amp;quot;&amp;quot;&amp;gt; &amp;#39;&amp;#39;&amp;#233;&amp;amp;&amp;amp;@ \\ /" />
            <field name="twice" value="&amp;amp;lt;b&amp;amp;gt;" />
            <field name="left" value="AT&amp;T &amp;unknown; &amp;#0; &amp;#xD800; &amp; &amp;#x1F600;" />
            <field name="ownerid" value="2" lookupentity="systemuser" lookupentityname="Sales &amp;amp; Marketing" />
          </record>
        </records></entity></entities>
        """
        let read = try Fixture.read("data.xml", text)
        #expect(read.rejected.isEmpty)
        let record = try #require(read.records.first)
        #expect(record.text("name") == "Ascent Audiology & Hearing")
        #expect(record.text("websiteurl") == "https://teams.example/l/team?groupId=5d&tenantId=7e")
        #expect(record.text("description") == "Root <\"\"> ''é&&@ \\ /")
        // Decoded once only: what was encoded twice keeps one level.
        #expect(record.text("twice") == "&lt;b&gt;")
        #expect(record.text("left") == "AT&T &unknown; &#0; &#xD800; & 😀")
        #expect(record.text("ownerid@lookupentityname") == "Sales & Marketing")
    }

    /// The CMT reader is libxml2's SAX2 push parser: what came before an error is delivered, even
    /// from the same chunk, and a DOCTYPE is refused where it starts, before its internal subset.
    @Test func cmtRecordsBeforeAnErrorInTheSameChunkAreDelivered() throws {
        let text = """
        <entities><entity name="lead"><records>
        <record id="1"><field name="a" value="x &amp;amp; y" lookupentity="s&amp;u" /></record>
        <record id="2"><field name="a" value="&nope;"/></record>
        </records></entity></entities>
        """
        let read = try Fixture.read("data.xml", text)
        #expect(read.records.map { $0.text("@id") } == ["1"])
        #expect(read.records.first?.text("a") == "x & y")
        // XML-decoded only: SAX2 hands a value's `&` as `&#38;`, turned back once.
        #expect(read.records.first?.text("a@lookupentity") == "s&u")
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.reason.contains("Entity 'nope' not defined") == true)
        #expect(read.rejected.first?.location.line == 3)
    }

    @Test func cmtDoctypeIsRefusedBeforeItsSubsetIsRead() throws {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE entities [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>\n<entities><entity name=\"lead\"><records><record id=\"1\"><field name=\"a\" value=\"&x;\"/></record></records></entity></entities>"
        let read = try Fixture.read("data.xml", text)
        #expect(read.records.isEmpty)
        #expect(read.rejected.count == 1)
        #expect(read.rejected.first?.reason.hasPrefix("the document has a DOCTYPE") == true)
    }

    @Test func cmtReadsUTF16AndABOM() throws {
        let text = "<entities><entity name=\"lead\"><records><record id=\"1\"><field name=\"a\" value=\"München\"/></record></records></entity></entities>"
        let utf16 = [UInt8]([0xFF, 0xFE]) + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bom = [UInt8]([0xEF, 0xBB, 0xBF]) + Array(text.utf8)
        for bytes in [utf16, bom] {
            let read = try Fixture.read([try Fixture.file("data.xml", bytes)])
            #expect(read.rejected.isEmpty)
            #expect(read.records.first?.text("a") == "München")
        }
    }

    @Test func genericXMLKeepsAnAmpersandItsAuthorWrote() throws {
        let text = #"<export><lead id="a&amp;amp;1"><name>AT&amp;amp;T</name></lead></export>"#
        let read = try Fixture.read("g.xml", text, ImportOptions(format: .xml, recordElement: "lead"))
        #expect(read.records.first?.text("id") == "a&amp;1")
        #expect(read.records.first?.text("name") == "AT&amp;T")
    }

    /// Each generic record has its own names, even when it has as many fields as the record before
    /// (the CMT reader's name reuse once replaced them with the record before's).
    @Test func genericRecordsWithOtherFieldsOfTheSameCountKeepTheirOwnNames() throws {
        let text = "<export><lead><email>a@x.com</email></lead><lead><phone>555</phone></lead></export>"
        let read = try Fixture.read("g.xml", text, ImportOptions(format: .xml, recordElement: "lead"))
        #expect(read.records.map(\.names) == [["email"], ["phone"]])
        #expect(read.records.last?.text("phone") == "555" && read.records.last?.text("email") == nil)
    }

    /// #11.7: an entity filter that takes nothing says which entities the file has.
    @Test func aMissingEntityIsReportedWithTheEntitiesTheFileHas() throws {
        let text = """
        <entities><entity name="account"><records><record id="1"/></records></entity>
        <entity name="contact"><records><record id="2"/></records></entity></entities>
        """
        let path = try Fixture.file("data.xml", text)
        let read = try Fixture.read([path], ImportOptions(entity: "lead"))
        #expect(read.records.isEmpty && read.rejected.isEmpty)
        #expect(read.reader.cmtEntities[path] == ["account", "contact"])
        #expect(read.reader.notices.contains { $0.contains("entity 'lead' is not in the file; the file has: account, contact") })
        let all = try Fixture.read([path])
        #expect(all.records.count == 2 && all.reader.cmtEntities[path] == ["account", "contact"])
        #expect(!all.reader.notices.contains { $0.contains("not in the file") })
    }
}
