import Foundation
import Importers
import Referrals
import Testing

@testable import Mapping

enum MappingFixture {
    static let base = """
        name: t
        key: id
        fields:
          customerProfile.name: company
          customerProfile.address.country: country
          consent.consentToToShareInfoWithOthers: { const: true }
          consent.consentToContact: { const: false }
          details.notes: notes
          type: { const: Independent }
        """

    static func spec(_ extra: String = "", file: String = "m.yaml") throws -> MappingSpec {
        try MappingSpec.parse(yaml: base + "\n" + extra, file: file)
    }

    static func record(_ fields: [String: String], names: [String]? = nil) -> SourceRecord {
        let order = names ?? fields.keys.sorted()
        return SourceRecord(location: SourceLocation(file: "f.csv", record: 1, line: 2), names: order, values: order.map { fields[$0].map(SourceValue.string) ?? .null })
    }

    static let good = ["id": "crm-1", "company": "Fabrikam", "country": "gb", "notes": "n"]

    static func referral(_ extra: String, _ fields: [String: String]) throws -> Referral? {
        if case .mapped(let mapped) = Mapper(try spec(extra)).map(record(good.merging(fields) { $1 })) { return mapped.referral }
        return nil
    }
}

@Suite struct ValueParserTests {
    @Test(arguments: [
        ("$1,234.50", false, 1234.5), ("1.234,50 €", false, 1234.5), ("1,234", false, 1234.0), ("1,5", true, 1.5),
        ("20000.0000", false, 20000.0), ("4325.0000000000", false, 4325.0), ("(1,200)", false, -1200.0), ("USD 99", false, 99.0),
        ("1 234,5", true, 1234.5), ("1.234", true, 1234.0), ("-5", false, -5.0), ("1234.56", false, 1234.56), ("-0.5", false, -0.5),
        (".5", false, 0.5), ("007", false, 7.0),
    ])
    func numbers(text: String, decimalComma: Bool, expected: Double) {
        #expect(ValueParsers.number(text, decimalComma: decimalComma) == expected)
    }

    @Test func notNumbers() {
        #expect(ValueParsers.number("twelve", decimalComma: false) == nil)
        #expect(ValueParsers.number("", decimalComma: false) == nil)
        for text in ["-", ".", "1.2.3x", "1-2", "1e5x"] { #expect(ValueParsers.number(text, decimalComma: false) == nil, "\(text)") }
    }

    @Test(arguments: [
        ("2024-06-25", ValueParsers.DateFormat.iso, "2024-06-25T00:00:00Z"), ("2024-06-25 10:30:00", .iso, "2024-06-25T10:30:00Z"),
        ("2024-06-25T10:00:00+02:00", .iso, "2024-06-25T08:00:00Z"), ("6/25/2024", .us, "2024-06-25T00:00:00Z"),
        ("6/25/2024 3:05 PM", .us, "2024-06-25T15:05:00Z"), ("12/1/2024 12:00 AM", .us, "2024-12-01T00:00:00Z"),
        ("25.06.2024", .eu, "2024-06-25T00:00:00Z"), ("25/06/24", .eu, "2024-06-25T00:00:00Z"), ("45468", .excel, "2024-06-25T00:00:00Z"),
        ("2/29/2024", .us, "2024-02-29T00:00:00Z"), ("31-12-1999", .eu, "1999-12-31T00:00:00Z"), (" 1/2/2025 ", .us, "2025-01-02T00:00:00Z"),
    ])
    func datesNeverShift(text: String, format: ValueParsers.DateFormat, expected: String) {
        #expect(ValueParsers.dateTime(text, format: format)?.text == expected)
    }

    @Test func badDates() {
        #expect(ValueParsers.dateTime("2/30/2024", format: .us) == nil)
        #expect(ValueParsers.dateTime("13.13.2024", format: .eu) == nil)
        #expect(ValueParsers.dateTime("soon", format: .iso) == nil)
        for text in ["2/29/2023", "6//25/2024", "6/25", "6/25/2024/1", "0/5/2024", "6/0/2024", "6/25/20245", "6/x/2024", "-6/25/2024"] {
            #expect(ValueParsers.dateTime(text, format: .us) == nil, "\(text)")
        }
    }

    @Test func boolsCaseAndNames() {
        #expect(ValueParsers.bool("Yes") == true && ValueParsers.bool("0") == false && ValueParsers.bool("maybe") == nil)
        #expect(ValueParsers.apply(.title, to: "ann LEE") == "Ann Lee")
        #expect(ValueParsers.namePart(.first, of: "Ann Marie Lee") == "Ann Marie")
        #expect(ValueParsers.namePart(.last, of: "Lee, Ann") == "Lee")
    }
}

@Suite struct MapperTests {
    @Test func sourcesTemplatesAndFallbacks() throws {
        let referral = try #require(try MappingFixture.referral("""
              name: { template: "{Company} – {Topic}" }
              customerProfile.team[0].phoneNumber: { fields: [mobile, phone] }
              customerProfile.team[0].firstName: { field: FULL, split: first }
              customerProfile.team[0].lastName: { field: full, split: last }
              customerProfile.team[0].email: { field: email, case: lower }
            """, ["topic": "Fleet", "mobile": " ", "phone": "555", "full": "Ann Marie Lee", "email": "ANN@X.EXAMPLE"]))
        #expect(referral.name == "Fabrikam – Fleet")
        #expect(referral.customerProfile?.team?.first == Member(firstName: "Ann Marie", lastName: "Lee", phoneNumber: "555", email: "ann@x.example"))
        #expect(referral.customerProfile?.address?.country == "GB")
        #expect(referral.externalReferenceId == "crm-1")
    }

    @Test func valueMapsNeedADefaultAndApplyIt() throws {
        let extra = """
              details.currency:
                field: currency
                map: { US Dollar: USD, Euro: EUR }
                default: reject
              details.dealValue: value
            """
        #expect(try MappingFixture.referral(extra, ["currency": "euro", "value": "10"])?.details?.currency == "EUR")
        // As written in the mapping, in another case, or with spaces around: one entry.
        for spelling in ["US Dollar", "us dollar", "  US DOLLAR ", "Us Dollar"] {
            #expect(try MappingFixture.referral(extra, ["currency": spelling, "value": "10"])?.details?.currency == "USD", "\(spelling)")
        }
        let mapper = Mapper(try MappingFixture.spec(extra))
        guard case .rejected(_, let issues) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["currency": "Yen", "value": "1"]) { $1 })) else {
            Issue.record("an unmapped value must reject")
            return
        }
        #expect(issues.first?.field == "details.currency" && issues.first?.message.contains("'Yen'") == true)
        let keep = extra.replacingOccurrences(of: "default: reject", with: "default: keep")
        #expect(try MappingFixture.referral(keep, ["currency": "JPY", "value": "1"])?.details?.currency == "JPY")
        let fixed = extra.replacingOccurrences(of: "default: reject", with: "default: USD")
        #expect(try MappingFixture.referral(fixed, ["currency": "Yen", "value": "1"])?.details?.currency == "USD")
        #expect(throws: MappingLoadError.self) { try MappingFixture.spec("  details.currency:\n    field: c\n    map: { A: USD }") }
    }

    @Test func conditionsSkipAndChooseTheType() throws {
        let spec = try MappingSpec.parse(yaml: MappingFixture.base.replacingOccurrences(of: "  type: { const: Independent }", with: """
              type:
                when: [{ field: rating, equals: Hot, value: Shared }]
                default: Independent
              target[0].type:
                when: [{ field: rating, equals: hot, value: SolutionProfile }]
              target[0].id:
                when: [{ field: rating, equals: hot, value: SOL-1 }]
            """) + "\nskip:\n  - when: { field: statuscode, in: [\"4\", Lost] }\n    reason: lost lead\n", file: "m.yaml")
        let mapper = Mapper(spec)
        guard case .mapped(let hot) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["rating": "HOT"]) { $1 })) else {
            Issue.record("hot lead should map")
            return
        }
        #expect(hot.referral.type == .shared && hot.referral.target?.first?.id == "SOL-1")
        guard case .mapped(let warm) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["rating": "Warm"]) { $1 })) else {
            Issue.record("warm lead should map")
            return
        }
        #expect(warm.referral.type == .independent && warm.referral.target == nil)
        // The raw code or its label (Web API formatted value) both match.
        let labelled = MappingFixture.record(MappingFixture.good.merging(["statuscode": "6", "statuscode@OData.Community.Display.V1.FormattedValue": "Lost"]) { $1 })
        guard case .skipped(let id, let reason) = mapper.map(labelled) else {
            Issue.record("a lost lead is skipped")
            return
        }
        #expect(id == "crm-1" && reason == "lost lead")
    }

    @Test func truncationWarnsAndInvalidRecordsListEveryProblem() throws {
        let long = String(repeating: "a", count: 310)
        let mapper = Mapper(try MappingFixture.spec("  name: topic\n  details.dealValue: value\n  details.currency: { const: USD }\n  details.closingDateTime: { field: close, date: us }"))
        guard case .mapped(let mapped) = mapper.map(MappingFixture.record(MappingFixture.good.merging(["topic": long, "value": "1", "close": "6/25/2024"]) { $1 })) else {
            Issue.record("should map")
            return
        }
        #expect(mapped.referral.name?.count == 300 && mapped.warnings.first?.contains("truncated") == true)
        #expect(mapped.referral.details?.closingDateTime?.text == "2024-06-25T00:00:00Z")
        guard case .rejected(let id, let issues) = mapper.map(MappingFixture.record(["id": "x", "value": "lots", "close": "someday", "country": "Narnia"])) else {
            Issue.record("should reject")
            return
        }
        #expect(id == "x")
        #expect(Set(issues.map(\.field)) == ["details.dealValue", "details.closingDateTime"])
        // refbridge's own rules (a customer name, an ISO country) warn with their reason…
        guard case .mapped(let warned) = mapper.map(MappingFixture.record(["id": "x", "country": "Narnia"])) else {
            Issue.record("refbridge's own rules only warn")
            return
        }
        #expect(warned.warnings.contains { $0.hasPrefix("customerProfile.name:") && $0.contains("Partner Center's UI requires") })
        #expect(warned.warnings.contains { $0.hasPrefix("customerProfile.address.country:") && $0.contains("strict: [countryCode]") })
        // …and reject with `strict:`, all of them or those named.
        for strict in ["strict: all", "strict: [customerName, countryCode]"] {
            let strictMapper = Mapper(try MappingFixture.spec(strict))
            guard case .rejected(_, let validation) = strictMapper.map(MappingFixture.record(["id": "x", "country": "Narnia", "notes": "n"])) else {
                Issue.record("\(strict) should reject")
                continue
            }
            #expect(Set(validation.map(\.field)).isSuperset(of: ["customerProfile.name", "customerProfile.address.country"]), "\(strict)")
        }
        let named = Mapper(try MappingFixture.spec("strict: [customerName]"))
        guard case .rejected(_, let only) = named.map(MappingFixture.record(["id": "x", "country": "Narnia", "notes": "n"])) else {
            Issue.record("strict: [customerName] should reject")
            return
        }
        #expect(only.map(\.field) == ["customerProfile.name"])
    }

    @Test func strictNamesOnlyRefbridgesOwnRules() {
        for (text, fragment) in [("strict: [required]", "'required' is not one of refbridge's own rules"), ("strict: [nope]", "'nope'"), ("strict: {a: 1}", "strict: takes")] {
            #expect {
                try MappingFixture.spec(text)
            } throws: { error in
                "\(error)".contains(fragment)
            }
        }
    }

    @Test func aRecordWithoutItsKeyIsRejected() throws {
        let mapper = Mapper(try MappingFixture.spec())
        guard case .rejected(let id, let issues) = mapper.map(MappingFixture.record(["company": "x"])) else {
            Issue.record("no id, no upload")
            return
        }
        #expect(id == nil && issues.first?.field == "id")
    }

    @Test func fieldNamesMatchIgnoringCaseEvenWhenHeadersChange() throws {
        let mapper = Mapper(try MappingFixture.spec())
        for names in [["ID", "Company", "COUNTRY", "Notes"], ["notes", "id", "country", "company"]] {
            let record = MappingFixture.record(["ID": "1", "Company": "A", "COUNTRY": "US", "Notes": "n", "notes": "n", "id": "2", "country": "US", "company": "B"].filter { names.contains($0.key) }, names: names)
            guard case .mapped = mapper.map(record) else {
                Issue.record("\(names) should map")
                return
            }
        }
    }
}

@Suite struct MappingLoadTests {
    @Test func consentIsNeverDefaulted() throws {
        let yaml = MappingFixture.base.replacingOccurrences(of: "  consent.consentToContact: { const: false }\n", with: "")
        #expect {
            try MappingSpec.parse(yaml: yaml, file: "m.yaml")
        } throws: { error in
            (error as? MappingLoadError)?.message.contains("consent.consentToContact is not mapped") == true
        }
    }

    @Test func loadErrorsNameFileLineAndFix() throws {
        let yaml = """
            name: t
            key: id
            sourcee: {}
            fields:
              customerProfile.nam: company
              type: { const: Joint }
              details.dealValue: { const: lots }
              details.closingDateTime: { field: d, date: someday }
              consent.consentToToShareInfoWithOthers: { const: true }
              consent.consentToContact: { const: maybe }
            """
        do {
            _ = try MappingSpec.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("must not load")
        } catch let errors as MappingLoadErrors {
            let lines = errors.errors.map(\.line)
            #expect(lines == [3, 5, 6, 7, 8, 10])
            #expect(errors.errors.allSatisfy { $0.file == "bad.yaml" })
            #expect(errors.errors[1].message.contains("did you mean customerProfile.name"))
            #expect(errors.errors[2].message.contains("Independent"))
            #expect(errors.description.hasPrefix("bad.yaml:3:"))
        }
    }

    @Test func missingSourceFieldsAreFoundInTheHeader() throws {
        let spec = try MappingFixture.spec("  name: Topic")
        let problems = spec.check(header: ["ID", "Company", "Country", "notes", "Topic (Lead)"])
        #expect(problems.count == 1 && problems[0].line == 10 && problems[0].message.contains("'Topic'") && problems[0].message.contains("Topic (Lead)"))
    }

    @Test func invalidYAMLIsLocated() {
        #expect(throws: MappingLoadError.self) { try MappingSpec.parse(yaml: "key: [unclosed", file: "x.yaml") }
    }
}
