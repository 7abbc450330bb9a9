import Foundation
import Importers
import Mapping
import MappingDraft
import Referrals
import Testing

/// A Dynamics "Export to Excel" whose view renamed, dropped, added and reordered columns: the
/// draft still maps the name, company, e-mail, country, amount and currency. Synthetic data.
@Suite struct RenamedExportTests {
    static let csv = """
        \u{FEFF}(Do Not Modify) Lead,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Account Name,Subject,E-mail Address,Given Name,Surname,Mobile,Town,Zip,Country,Estimated Value,Currency Code,Expected Close,Lead Status,Owner,Created On,Favourite Colour
        00000001-0000-4000-8000-000000000001,c1==,2026-11-01 10:00:00,Contoso Pharmaceuticals,Data platform pilot,ann.lee@contoso.example,Ann,Lee,+44 20 7946 0018,Leeds,LS1 4AP,United Kingdom,"12,500.00",Pound Sterling,13/03/2026,New,Sam Owner,2026-10-01 09:00:00,blue
        00000001-0000-4000-8000-000000000002,c2==,2026-11-02 10:00:00,Fabrikam GmbH,Teams rollout,bo.berg@fabrikam.example,Bo,Berg,+49 30 901820,Berlin,10115,Germany,"80,000.00",Euro,25/06/2026,Contacted,Sam Owner,2026-10-02 09:00:00,red
        00000001-0000-4000-8000-000000000003,c3==,2026-11-03 10:00:00,Northwind Traders,Security review,cy.diaz@northwind.example,Cy,Diaz,+1 206 555 0100,Seattle,98101,United States,"5,250.50",US Dollar,01/12/2026,Lost,Kim Owner,2026-10-03 09:00:00,green
        00000001-0000-4000-8000-000000000004,c4==,2026-11-04 10:00:00,Litware B.V.,Field service,di.evers@litware.example,Di,Evers,+31 30 123 4567,Utrecht,3511,Netherlands,"42,000.00",Euro,30/09/2026,New,Kim Owner,2026-10-04 09:00:00,blue
        00000001-0000-4000-8000-000000000005,c5==,2026-11-05 10:00:00,Adatum Corp,Contact centre,ed.fox@adatum.example,Ed,Fox,+1 416 555 0199,Toronto,M5H 2N2,CA,"9,900.00",Canadian Dollar,15/02/2027,Canceled,Sam Owner,2026-10-05 09:00:00,grey

        """

    @Test func renamedColumnsStillMapTheEssentials() async throws {
        let folder = try DraftTestSupport.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("leads-renamed.csv").path
        try Self.csv.write(toFile: path, atomically: true, encoding: .utf8)

        let draft = MappingDrafter.draft(try ExportSample.read([path]))
        #expect(draft.producer == .dynamicsExcel)
        #expect(draft.kind == .lead)
        let expected: [String: String] = [
            "name": "Subject",
            "customerProfile.name": "Account Name",
            "customerProfile.team[0].firstName": "Given Name",
            "customerProfile.team[0].lastName": "Surname",
            "customerProfile.team[0].email": "E-mail Address",
            "customerProfile.address.country": "Country",
            "customerProfile.address.postalCode": "Zip",
            "details.dealValue": "Estimated Value",
            "details.currency": "Currency Code",
            "details.closingDateTime": "Expected Close",
        ]
        for (path, column) in expected {
            #expect(draft.mappedFields[path] == [column], "\(path): \(draft.mappedFields[path] ?? [])\n\(draft.yaml)")
        }
        // "Owner" and "Created On" are not the customer's or the close date.
        #expect(!draft.mappedFields.values.contains(["Owner"]) && !draft.mappedFields.values.contains(["Created On"]))

        // Filled in, the draft maps the open leads with the right values and skips the lost and canceled.
        let filled = DraftTestSupport.fillingConsent(draft.yaml, with: [
            "  consent.consentToToShareInfoWithOthers: { const: true }",
            "  consent.consentToContact: { const: true }",
        ])
        let spec = try MappingSpec.parse(yaml: filled, file: "renamed.yaml")
        let outcomes = try await DraftTestSupport.outcomes(spec, files: [path])
        #expect(outcomes.values.filter { $0.0 == .mapped }.count == 3, "\(outcomes)\n\(filled)")
        #expect(outcomes.values.filter { $0.0 == .skipped }.count == 2)

        let reader = try RecordReader(paths: [path])
        let mapper = Mapper(spec)
        guard case .record(let first) = try #require(try reader.next()), case .mapped(let mapped) = mapper.map(first) else {
            Issue.record("the first lead is not mapped")
            return
        }
        let referral = mapped.referral
        #expect(referral.name == "Data platform pilot")
        #expect(referral.customerProfile?.name == "Contoso Pharmaceuticals")
        #expect(referral.customerProfile?.address?.country == "GB")
        #expect(referral.customerProfile?.address?.postalCode == "LS1 4AP")
        #expect(referral.customerProfile?.team?.first?.email == "ann.lee@contoso.example")
        #expect(referral.customerProfile?.team?.first?.lastName == "Lee")
        #expect(referral.details?.dealValue == 12_500)
        #expect(referral.details?.currency == "GBP")
        #expect(referral.details?.closingDateTime?.description.hasPrefix("2026-03-13") == true)
        // Day first: 13/03/2026 and 25/06/2026 say so.
        #expect(draft.yaml.contains("date: eu"))
    }
}
