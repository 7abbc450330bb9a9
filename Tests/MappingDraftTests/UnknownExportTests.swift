import Foundation
import Importers
import Mapping
import MappingDraft
import Referrals
import Testing

/// An export from a system refbridge does not know, with headers no catalog holds: the draft
/// falls back on similar headers and on the values themselves, and says so on each line.
/// Synthetic data.
@Suite struct UnknownExportTests {
    static let csv = """
        Ref;Organisation;Person;Reach;Land;Money;Cur;When;Phase
        R-1001;Contoso Ltd;Ann Lee;ann@contoso.example;Deutschland;1.234,50;EUR;25.06.2026;Open
        R-1002;Fabrikam Inc;Bo Berg;bo@fabrikam.example;France;20.000,00;EUR;13.07.2026;Open
        R-1003;Northwind;Cy Diaz;cy@northwind.example;United States;5.100,75;USD;01.02.2027;Lost
        R-1004;Litware;Di Evers;di@litware.example;NL;900,00;EUR;30.09.2026;Open
        R-1005;Adatum;Ed Fox;ed@adatum.example;Atlantis;12,00;EUR;14.01.2027;Disqualified

        """

    @Test func headersAndValuesFillWhatNamesCannot() async throws {
        let folder = try DraftTestSupport.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("other-crm.csv").path
        try Self.csv.write(toFile: path, atomically: true, encoding: .utf8)

        let draft = MappingDrafter.draft(try ExportSample.read([path]))
        #expect(draft.producer == .unknown)
        #expect(draft.system == "crm-leads")
        let expected: [String: String] = [
            "customerProfile.name": "Organisation",
            "customerProfile.team[0].firstName": "Person",
            "customerProfile.team[0].lastName": "Person",
            "customerProfile.team[0].email": "Reach",
            "customerProfile.address.country": "Land",
            "details.currency": "Cur",
            "details.dealValue": "Money",
            "details.closingDateTime": "When",
        ]
        for (path, column) in expected {
            #expect(draft.mappedFields[path] == [column], "\(path): \(draft.mappedFields[path] ?? [])\n\(draft.yaml)")
        }
        #expect(draft.yaml.contains("100 % of values of 'Reach' look like e-mails"))
        #expect(draft.yaml.contains("decimalComma: true"))
        #expect(draft.yaml.contains("date: eu"))
        #expect(draft.yaml.contains("key: Ref"))
        #expect(draft.reviews.contains { $0.path == "key" })
        #expect(draft.reviews.contains { $0.message.contains("Atlantis") })

        let filled = DraftTestSupport.fillingConsent(draft.yaml, with: [
            "  consent.consentToToShareInfoWithOthers: { const: true }",
            "  consent.consentToContact: { const: true }",
        ])
        let spec = try MappingSpec.parse(yaml: filled, file: "other.yaml")
        let results = try await DraftTestSupport.results(spec, files: [path])
        // Lost and Disqualified are skipped; the rest map, Deutschland as DE.
        #expect(results.values.filter { $0.outcome == .skipped }.count == 2, "\(results)\n\(filled)")
        let first = try #require(results.values.compactMap(\.referral).first { $0.externalReferenceId == "R-1001" })
        #expect(first.customerProfile?.address?.country == "DE")
        #expect(first.customerProfile?.team?.first?.firstName == "Ann")
        #expect(first.customerProfile?.team?.first?.lastName == "Lee")
        #expect(first.details?.dealValue == 1234.5)
        #expect(first.details?.currency == "EUR")
        #expect(first.details?.closingDateTime?.description.hasPrefix("2026-06-25") == true)
    }
}
