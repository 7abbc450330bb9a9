import Foundation
import Importers
import Referrals
import Testing

@testable import Mapping

/// Values as real exports write them (issue 11): each fixture reproduces a quirk seen in a real file.
@Suite struct DateOffsetTests {
    // Data Loader's timeZoneFormatTesting.csv spellings: the value's own offset always wins.
    @Test(arguments: [
        ("07/15/2009 02:14:45+0800", ValueParsers.DateFormat.us, "2009-07-14T18:14:45Z"),
        ("07/13/2009 22:14:45-0800", .us, "2009-07-14T06:14:45Z"),
        ("07/14/2009 14:14:45+0200", .us, "2009-07-14T12:14:45Z"),
        ("2009-07-14 22:14:45+0800", .iso, "2009-07-14T14:14:45Z"),
        ("2009-07-14 02:14:45-0800", .iso, "2009-07-14T10:14:45Z"),
        ("2009-07-14T14:14:45+02:00", .iso, "2009-07-14T12:14:45Z"),
        ("07/15/2009T02:14:45+0800", .us, "2009-07-14T18:14:45Z"),
        ("2009-07-14T22:14:45+0800", .us, "2009-07-14T14:14:45Z"),
        ("15.07.2009 02:14:45 +08:00", .eu, "2009-07-14T18:14:45Z"),
        ("2024-06-25T10:00:00+02:00", .iso, "2024-06-25T08:00:00Z"),
        ("2024-06-25 10:00+05", .iso, "2024-06-25T05:00:00Z"),
        ("2010-10-14T12:00:00.000Z", .iso, "2010-10-14T12:00:00.000Z"),
        ("2010-10-14T12:00:00.1234567z", .iso, "2010-10-14T12:00:00.1234567Z"),
        // The day, month and year change with the offset.
        ("12/31/2024 23:30-0500", .us, "2025-01-01T04:30:00Z"),
        ("01/01/2025 01:00:00+0300", .us, "2024-12-31T22:00:00Z"),
        ("3/1/2024 00:30 +0100", .us, "2024-02-29T23:30:00Z"),
        ("6/25/2024 3:05 PM -07:00", .us, "2024-06-25T22:05:00Z"),
        ("6/25/2024 10:00 UTC", .us, "2024-06-25T10:00:00Z"),
    ])
    func anOffsetInTheValueWins(text: String, format: ValueParsers.DateFormat, expected: String) {
        #expect(ValueParsers.dateTime(text, format: format)?.text == expected)
        // Whatever zone the mapping names: the value says its own.
        #expect(ValueParsers.dateTime(text, format: format, zone: SourceTimeZone("Asia/Tokyo")!)?.text == expected)
    }

    @Test func malformedOffsetsAndDatesAreRefused() {
        for text in [
            "2010-10-14T12:00:00.000Z-0300", "2009\\7\\14 22:14:45+0800", "2009-07/14 02:14:45-0800", "2009-07-14 10:00+2:00",
            "2009-07-14 10:00+0", "2009-07-14 10:00+02:", "2009-07-14 10:00 +0200 x", "2009-07-14 25:00", "2009-07-14 10:0",
            "2009-02-30", "2009-13-01",
        ] {
            #expect(ValueParsers.dateTime(text, format: .us) == nil, "\(text)")
            #expect(ValueParsers.dateTime(text, format: .iso) == nil, "\(text)")
        }
    }

    @Test func aValueWithoutAnOffsetIsReadInTheMappingsZone() throws {
        let plus2 = try #require(SourceTimeZone("+02:00"))
        #expect(ValueParsers.dateTime("6/25/2024 10:00", format: .us, zone: plus2)?.text == "2024-06-25T08:00:00Z")
        #expect(ValueParsers.dateTime("2024-06-25T01:00:00", format: .iso, zone: plus2)?.text == "2024-06-24T23:00:00Z")
        // A date alone is that day, never shifted by a zone.
        #expect(ValueParsers.dateTime("6/25/2024", format: .us, zone: plus2)?.text == "2024-06-25T00:00:00Z")
        #expect(ValueParsers.dateTime("2024-06-25", format: .iso, zone: SourceTimeZone("-0800")!)?.text == "2024-06-25T00:00:00Z")
        for spelling in ["+0200", "+02", "UTC+02:00", "GMT+0200"] { #expect(SourceTimeZone(spelling)?.offset(atUTC: 0) == 7200, "\(spelling)") }
        for spelling in ["+2", "+02:0", "Mars/Base", "02:00", "+25:00", ""] { #expect(SourceTimeZone(spelling) == nil, "\(spelling)") }
    }

    @Test func aNamedZoneUsesTheOffsetOfThatLocalDateTime() throws {
        let berlin = try #require(SourceTimeZone("Europe/Berlin"))
        #expect(ValueParsers.dateTime("2024-07-01 12:00", format: .iso, zone: berlin)?.text == "2024-07-01T10:00:00Z")  // CEST
        #expect(ValueParsers.dateTime("15.01.2024 12:00", format: .eu, zone: berlin)?.text == "2024-01-15T11:00:00Z")  // CET
        #expect(ValueParsers.dateTime("01.01.2024 00:30", format: .eu, zone: berlin)?.text == "2023-12-31T23:30:00Z")
        let newYork = try #require(SourceTimeZone("America/New_York"))
        #expect(ValueParsers.dateTime("7/4/2024 9:00 AM", format: .us, zone: newYork)?.text == "2024-07-04T13:00:00Z")
        #expect(ValueParsers.dateTime("1/4/2024 9:00 AM", format: .us, zone: newYork)?.text == "2024-01-04T14:00:00Z")
        // 2:30 never happened on 10 March 2024 (clocks went 2:00 → 3:00): read with the offset before.
        #expect(ValueParsers.dateTime("3/10/2024 2:30 AM", format: .us, zone: newYork)?.text == "2024-03-10T07:30:00Z")
        // 1:30 happened twice on 3 November 2024: the earlier (still daylight time).
        #expect(ValueParsers.dateTime("11/3/2024 1:30 AM", format: .us, zone: newYork)?.text == "2024-11-03T05:30:00Z")
        #expect(ValueParsers.dateTime("11/3/2024 1:30 AM -05:00", format: .us, zone: newYork)?.text == "2024-11-03T06:30:00Z")
    }

    @Test func theMappingsTimezoneReachesItsDates() throws {
        let spec = try MappingFixture.spec("  details.closingDateTime: { field: close, date: us }\ntimezone: Asia/Singapore")
        let mapper = Mapper(spec)
        guard case .mapped(let mapped) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["close": "07/15/2009 02:14:45"]) { $1 })) else {
            Issue.record("should map")
            return
        }
        #expect(mapped.referral.details?.closingDateTime?.text == "2009-07-14T18:14:45Z")
        let override = try MappingFixture.spec("  details.closingDateTime: { field: close, date: us, timezone: UTC }\ntimezone: Asia/Singapore")
        guard case .mapped(let utc) = Mapper(override).map(MappingFixture.record(MappingFixture.good.merging(["close": "07/15/2009 02:14:45"]) { $1 })) else {
            Issue.record("should map")
            return
        }
        #expect(utc.referral.details?.closingDateTime?.text == "2009-07-15T02:14:45Z")
        // Fixed offsets as YAML scalars (`-0500` is not read as a number).
        for (zone, expected) in [("+02:00", "2009-07-15T00:14:45Z"), ("-0500", "2009-07-15T07:14:45Z"), ("\"+08:00\"", "2009-07-14T18:14:45Z")] {
            let spec = try MappingFixture.spec("  details.closingDateTime: { field: close, date: us }\ntimezone: \(zone)")
            guard case .mapped(let mapped) = Mapper(spec).map(MappingFixture.record(MappingFixture.good.merging(["close": "07/15/2009 02:14:45"]) { $1 })) else {
                Issue.record("should map with \(zone)")
                continue
            }
            #expect(mapped.referral.details?.closingDateTime?.text == expected, "\(zone)")
        }
        #expect {
            try MappingFixture.spec("timezone: Mars/Base")
        } throws: { error in
            (error as? MappingLoadError).map { $0.line == 10 && $0.message.contains("IANA name") } == true
        }
    }
}

@Suite struct ISODatesInLocaleFormatsTests {
    @Test(arguments: [ValueParsers.DateFormat.us, .eu])
    func anUnambiguousISODateReadsInEveryFormat(format: ValueParsers.DateFormat) {
        #expect(ValueParsers.dateTime("2027-06-19", format: format)?.text == "2027-06-19T00:00:00Z")
        #expect(ValueParsers.dateTime("2027-06-19T10:00:00", format: format)?.text == "2027-06-19T10:00:00Z")
        #expect(ValueParsers.dateTime("2027-06-19 10:00", format: format)?.text == "2027-06-19T10:00:00Z")
        #expect(ValueParsers.dateTime("2027-06-19T10:00:00-04:00", format: format)?.text == "2027-06-19T14:00:00Z")
        #expect(ValueParsers.dateTime("2027-06-19T10:00:00.123Z", format: format)?.text == "2027-06-19T10:00:00.123Z")
        // us/eu still decide the ambiguous form.
        #expect(ValueParsers.dateTime("06/05/2027", format: format)?.text == (format == .us ? "2027-06-05T00:00:00Z" : "2027-05-06T00:00:00Z"))
    }

    @Test func theISOFormatStillRefusesLocaleDates() {
        #expect(ValueParsers.dateTime("06/05/2027", format: .iso) == nil)
    }

    /// An Excel-CSV export whose close dates were saved as ISO maps with the preset as it is.
    @Test func theExcelCSVPresetMapsISODates() throws {
        let root = PackageRoot.url
        let sample = try String(contentsOf: root.appendingPathComponent("samples/dynamics-leads.csv"), encoding: .utf8)
        let header = try #require(sample.split(whereSeparator: \.isNewline).first)
        let rows = [
            "000000d1-0000-0000-0000-0000000000a1,c1==,2026-11-15 08:46:00,Teams Phone migration,Eli,Young,Tailspin Toys GmbH,eli@tailspin.example,+1 555 1475591,915 Rue Neuve,Toronto,ON,M5H 2N2,Canada,Consulting,344755.62,Canadian Dollar,2027-06-19,Warm,New,Pilot first,2500,Allow,Yes",
            "000000d1-0000-0000-0000-0000000000a2,c2==,2026-11-15 08:46:00,Security review,Dara,Olsen,Fabrikam Ltd,dara@fabrikam.example,+1 555 9318349,567 Harbour Rd,Seattle,WA,98101,United States,Accounting,6546.08,US Dollar,2027-06-19T10:00:00,Warm,New,x,40,Do Not Allow,Yes",
        ]
        let file = try Fixtures.write(String(header) + "\n" + rows.joined(separator: "\n") + "\n", name: "iso-dates.csv")
        let spec = try MappingSpec.load(path: root.appendingPathComponent("mappings/dynamics-lead-excel-csv.yaml").path)
        let outcomes = try PackageRoot.mapAll(file, spec)
        let dates = outcomes.compactMap { if case .mapped(let mapped) = $0 { return mapped.referral.details?.closingDateTime?.text } else { return nil } }
        #expect(dates.count == 2, "\(outcomes)")
        #expect(dates == ["2027-06-19T00:00:00Z", "2027-06-19T10:00:00Z"])
    }
}

@Suite struct BooleanReadingTests {
    static let converted = """
        skip:
          - when: { field: IsConverted, is: true }
            reason: converted lead
        """

    @Test(arguments: ["1", "true", "TRUE", "True", " yes ", "Yes"])
    func isTrueHoldsForEverySpellingOfTrue(value: String) throws {
        let mapper = Mapper(try MappingFixture.spec(Self.converted))
        guard case .skipped(_, let reason) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["IsConverted": value]) { $1 })) else {
            Issue.record("'\(value)' is true: the converted lead must be skipped")
            return
        }
        #expect(reason == "converted lead")
    }

    @Test(arguments: ["0", "false", "FALSE", "no", ""])
    func isTrueDoesNotHoldForFalseOrEmpty(value: String) throws {
        let mapper = Mapper(try MappingFixture.spec(Self.converted))
        guard case .mapped = mapper.map(MappingFixture.record(MappingFixture.good.merging(["IsConverted": value]) { $1 })) else {
            Issue.record("'\(value)' is not true: the lead maps")
            return
        }
    }

    @Test func isWorksInWhenCasesToo() throws {
        let yaml = MappingFixture.base.replacingOccurrences(of: "  type: { const: Independent }", with: """
              type:
                when: [{ field: hot, is: true, value: Shared }]
                default: Independent
              target[0].type: { const: SolutionProfile }
              target[0].id: { const: SOL-1 }
            """)
        let mapper = Mapper(try MappingSpec.parse(yaml: yaml, file: "m.yaml"))
        for (value, expected) in [("1", ReferralType.shared), ("0", .independent), ("", .independent)] {
            guard case .mapped(let mapped) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["hot": value]) { $1 })) else {
                Issue.record("'\(value)' should map")
                continue
            }
            #expect(mapped.referral.type == expected, "\(value)")
        }
        guard case .rejected(_, let issues) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["hot": "warm"]) { $1 })) else {
            Issue.record("'warm' cannot decide `is: true`")
            return
        }
        #expect(issues.contains { $0.field == "hot" })
    }

    @Test func aValueThatIsNoBooleanRejectsTheRecord() throws {
        let mapper = Mapper(try MappingFixture.spec(Self.converted))
        guard case .rejected(let id, let issues) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["IsConverted": "maybe"]) { $1 })) else {
            Issue.record("an undecidable skip rule must not let the record through")
            return
        }
        #expect(id == "crm-1" && issues.first?.field == "IsConverted" && issues.first?.message.contains("'maybe'") == true)
        #expect(throws: MappingLoadError.self) { try MappingFixture.spec("skip:\n  - when: { field: IsConverted, is: perhaps }\n    reason: r") }
    }

    @Test func boolTrueReadsOneAndZeroBeforeTheMap() throws {
        let extra = """
              consent.consentToContact:
                field: HasOptedOutOfEmail
                bool: true
                map: { "false": "true", "true": "false" }
                default: reject
            """
        let yaml = MappingFixture.base.replacingOccurrences(of: "  consent.consentToContact: { const: false }\n", with: "") + "\n" + extra
        let mapper = Mapper(try MappingSpec.parse(yaml: yaml, file: "m.yaml"))
        for (value, expected) in [("0", true), ("1", false), ("False", true), ("TRUE", false), ("yes", false)] {
            guard case .mapped(let mapped) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["HasOptedOutOfEmail": value]) { $1 })) else {
                Issue.record("'\(value)' should map")
                continue
            }
            #expect(mapped.referral.consent?.consentToContact == expected, "\(value)")
        }
        guard case .rejected(_, let issues) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["HasOptedOutOfEmail": "2"]) { $1 })) else {
            Issue.record("'2' is no boolean")
            return
        }
        #expect(issues.first?.field == "consent.consentToContact" && issues.first?.message.contains("'2'") == true)
    }

    /// A Salesforce Data Loader lead extract with booleans as 0/1 (as the Data Export Service and
    /// some Data Loader settings write them): converted leads are skipped, the rest map.
    @Test func theSalesforcePresetReadsZeroOneBooleans() throws {
        let csv = """
            "Id","FirstName","LastName","Company","Street","City","State","PostalCode","Country","CountryCode","Email","Phone","Status","Industry","AnnualRevenue","CurrencyIsoCode","Rating","Description","IsConverted","HasOptedOutOfEmail","Partner_Consent__c"
            "00Q000000000001AAA","Ann","Lee","Contoso","1 Main St","Springfield","IL","62701","United States","US","ann@contoso.example","(555) 010-0001","Working","Banking","1000","USD","Warm","","0","0","1"
            "00Q000000000002AAA","Bo","Chan","Fabrikam","2 Main St","Springfield","IL","62701","United States","US","bo@fabrikam.example","555-0102 x12","Working","Retail","2000","USD","Cold","Fleet renewal","1","0","1"
            "00Q000000000003AAA","Cy","Diaz","Northwind","3 Main St","Springfield","IL","62701","United States","US","cy@northwind.example","","Working","Retail","3000","USD","Cold","","0","1","0"

            """
        let file = try Fixtures.write(csv, name: "sf-leads-01.csv")
        let spec = try MappingSpec.load(path: PackageRoot.url.appendingPathComponent("mappings/salesforce-lead-csv.yaml").path)
        let items = try PackageRoot.mapAll(file, spec)
        guard items.count == 3 else {
            Issue.record("three records expected: \(items)")
            return
        }
        guard case .skipped(let id, _) = items[1] else {
            Issue.record("the converted lead is skipped")
            return
        }
        #expect(id == "00Q000000000002AAA")
        guard case .mapped(let first) = items[0], case .mapped(let third) = items[2] else {
            Issue.record("the other two map: \(items)")
            return
        }
        #expect(first.referral.name == "Contoso" && first.referral.consent?.consentToContact == true)
        #expect(third.referral.consent?.consentToContact == false && third.referral.consent?.consentToToShareInfoWithOthers == false)
    }
}

@Suite struct TemplateAndNameTests {
    static func name(_ template: String, _ fields: [String: String]) throws -> String? {
        try MappingFixture.referral("  name: { template: \"\(template)\" }", fields)?.name
    }

    @Test func aPartWhoseFieldIsEmptyDropsWithItsSeparator() throws {
        #expect(try Self.name("{Company}: {Description}", ["company": "Pepsico", "description": ""]) == "Pepsico")
        #expect(try Self.name("{Company}: {Description}", ["company": "Pepsico", "description": "  "]) == "Pepsico")
        #expect(try Self.name("{Company}: {Description}", ["company": "Pepsico", "description": "Fleet"]) == "Pepsico: Fleet")
        #expect(try Self.name("{Topic}: {Description}", ["description": "Fleet"]) == "Fleet")
        #expect(try Self.name("{A} / {B} / {C}", ["a": "1", "c": "3"]) == "1 / 3")
        #expect(try Self.name("{A} / {B} / {C}", ["b": "2"]) == "2")
        // Text before the first placeholder and after the last belongs to it.
        #expect(try Self.name("Lead {A} ({B})", ["a": "1", "b": "2"]) == "Lead 1 (2)")
        #expect(try Self.name("Lead {A} ({B})", ["a": "1"]) == "Lead 1")
    }

    @Test func anAllEmptyTemplateIsEmptyAndAFixedOneIsRefused() throws {
        let mapper = Mapper(try MappingFixture.spec("  name: { template: \"{A}: {B}\", required: true }"))
        guard case .rejected(_, let issues) = mapper.map(MappingFixture.record(MappingFixture.good)) else {
            Issue.record("an empty required template rejects")
            return
        }
        #expect(issues.first?.field == "name")
        #expect(throws: MappingLoadError.self) { try MappingFixture.spec("  name: { template: \"no fields\" }") }
    }

    @Test func aTrailingParenthesisedNoteIsNoNamePart() {
        #expect(ValueParsers.namePart(.first, of: "Scott Konersmann (sample)") == "Scott")
        #expect(ValueParsers.namePart(.last, of: "Scott Konersmann (sample)") == "Konersmann")
        #expect(ValueParsers.namePart(.last, of: "Lee, Ann (old)") == "Lee")
        #expect(ValueParsers.namePart(.first, of: "Lee, Ann (old)") == "Ann")
        #expect(ValueParsers.namePart(.first, of: "Ann Marie Lee (Contoso) (sample)") == "Ann Marie")
        // A name that is only a parenthesis keeps it.
        #expect(ValueParsers.namePart(.first, of: "(unknown)") == "(unknown)")
    }

    @Test(arguments: ["+1 (555) 123-4567", "555.123.4567", "+49 30 1234567 x123", "555-1234 ext. 12", "555 1234 Ext 9", "0800/123 456 #7", "555\u{00A0}1234"])
    func phoneNumbersPass(text: String) {
        #expect(ValueParsers.isPhoneNumber(text))
    }

    @Test(arguments: ["ann@contoso.example", "call Ann", "555-1234 x", "555-1234 (mobile)", "n/a", "x123", "555 ext. twelve"])
    func anythingElseInAPhoneColumnIsRefused(text: String) throws {
        #expect(!ValueParsers.isPhoneNumber(text))
        let mapper = Mapper(try MappingFixture.spec("  customerProfile.team[0].phoneNumber: phone\n  customerProfile.team[0].lastName: { const: Lee }"))
        guard case .rejected(_, let issues) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["phone": text]) { $1 })) else {
            Issue.record("'\(text)' is no phone number")
            return
        }
        #expect(issues.first?.field == "customerProfile.team[0].phoneNumber")
    }
}

@Suite struct FallbackTests {
    @Test func ifEmptyGivesAConstantForAnEmptyField() throws {
        let extra = "  details.currency: { field: currency, ifEmpty: USD }\n  details.dealValue: { field: value, ifEmpty: \"0\" }"
        let empty = try #require(try MappingFixture.referral(extra, [:]))
        #expect(empty.details?.currency == "USD" && empty.details?.dealValue == 0)
        let given = try #require(try MappingFixture.referral(extra, ["currency": "EUR", "value": "5"]))
        #expect(given.details?.currency == "EUR" && given.details?.dealValue == 5)
    }

    @Test func ifEmptyWithAMapIsNotMappedAgain() throws {
        let extra = """
              type:
                field: rating
                map: { Hot: Independent }
                default: reject
                ifEmpty: Independent
            """
        let yaml = MappingFixture.base.replacingOccurrences(of: "  type: { const: Independent }", with: "") + "\n" + extra
        let mapper = Mapper(try MappingSpec.parse(yaml: yaml, file: "m.yaml"))
        guard case .mapped(let mapped) = mapper.map(MappingFixture.record(MappingFixture.good)) else {
            Issue.record("an empty rating takes ifEmpty")
            return
        }
        #expect(mapped.referral.type == .independent)
        guard case .rejected = mapper.map(MappingFixture.record(MappingFixture.good.merging(["rating": "Warm"]) { $1 })) else {
            Issue.record("a value not in the map is still rejected")
            return
        }
    }

    @Test func ifEmptyIsCheckedAgainstTheTarget() {
        #expect {
            try MappingFixture.spec("  details.dealValue: { field: value, ifEmpty: lots }")
        } throws: { error in
            (error as? MappingLoadError)?.message.contains("'lots' is not a number") == true
        }
    }
}

@Suite struct YAMLErrorTests {
    @Test func aDuplicateKeyIsReportedAtItsPlaceOnce() {
        let yaml = MappingFixture.base + "\n  details.notes: other\n"
        #expect {
            try MappingSpec.parse(yaml: yaml, file: "m.yaml")
        } throws: { error in
            guard let error = error as? MappingLoadError else { return false }
            // The second `details.notes:` is on line 10, column 3; the first on line 7.
            return error.line == 10 && error.column == 3 && error.description.split(separator: "\n").count == 1
                && error.description.hasPrefix("m.yaml:10:3: 'details.notes' is given twice") && error.message.contains("first at line 8")
                && !error.description.contains("consent")
        }
    }

    @Test func aDuplicateTopLevelKeyToo() {
        #expect {
            try MappingSpec.parse(yaml: "name: a\nkey: id\nname: b\n", file: "m.yaml")
        } throws: { error in
            (error as? MappingLoadError).map { $0.line == 3 && $0.column == 1 } == true
        }
    }

    @Test(arguments: ["key: [unclosed\n", "fields:\n  a: b\n c: d\n", "key: \"open\n", "a: b\n\tc: d\n"])
    func anyYAMLErrorIsOneLineAtItsPlace(yaml: String) {
        #expect {
            try MappingSpec.parse(yaml: yaml, file: "x.yaml")
        } throws: { error in
            guard let error = error as? MappingLoadError else { return false }
            let text = error.description
            return text.split(separator: "\n").count == 1 && text.hasPrefix("x.yaml:\(error.line):\(error.column): not valid YAML:")
                && text.components(separatedBy: "x.yaml").count == 2 && error.line > 1
        }
    }
}

enum Fixtures {
    /// Writes a fixture to a fresh temporary folder and returns its path.
    static func write(_ text: String, name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("refbridge-fixture-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// The package's folder (presets, samples) and a plain way to map a whole file.
enum PackageRoot {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every record of `file` through one mapper, in order (reader rejects left out).
    static func mapAll(_ file: String, _ spec: MappingSpec) throws -> [MappingOutcome] {
        let reader = try RecordReader(paths: [file], options: spec.source.importOptions)
        let mapper = Mapper(spec)
        var outcomes: [MappingOutcome] = []
        while let item = try reader.next() {
            if case .record(let record) = item { outcomes.append(mapper.map(record)) }
        }
        return outcomes
    }
}
