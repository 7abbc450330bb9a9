import Importers
import Testing

@testable import Mapping

/// `Mapper.probe`: a digest of exactly what the mapping reads, so that an unchanged record can be
/// settled from the ledger without mapping it (and a changed one never is).
@Suite struct SourceDigestTests {
    let mapper: Mapper
    init() throws { mapper = Mapper(try MappingFixture.spec()) }

    func probe(_ changes: [String: String] = [:], names: [String]? = nil) -> (externalId: String?, digest: SourceDigest) {
        mapper.probe(MappingFixture.record(MappingFixture.good.merging(changes) { $1 }, names: names))
    }

    @Test func theIdIsTheOneTheMappingGives() throws {
        guard case .mapped(let mapped) = mapper.map(MappingFixture.record(MappingFixture.good)) else {
            Issue.record("the fixture must map")
            return
        }
        #expect(probe().externalId == mapped.externalReferenceId)
        #expect(probe(["id": "  "]).externalId == nil)
    }

    @Test func aFieldTheMappingReadsChangesIt() {
        let base = probe().digest
        #expect(probe(["company": "Fabrikam Ltd"]).digest != base)
        #expect(probe(["notes": ""]).digest != base)
        #expect(probe(["id": "crm-2"]).digest != base)
        // The same again: the same digest.
        #expect(probe().digest == base)
    }

    @Test func columnsTheMappingDoesNotReadAndTheirOrderDoNot() {
        let base = probe().digest
        #expect(probe(["modifiedon": "2026-12-01"]).digest == base)
        #expect(probe(names: ["notes", "id", "country", "company"]).digest == base)
    }

    @Test func anODataLabelCountsToo() {
        let label = "country" + Mapper.formattedSuffix
        #expect(probe([label: "United Kingdom"]).digest != probe([label: "Britain"]).digest)
    }

    @Test func anotherMappingTextOrRevisionChangesIt() throws {
        let edited = Mapper(try MappingFixture.spec("# a comment"))
        let record = MappingFixture.record(MappingFixture.good)
        #expect(edited.probe(record).digest != mapper.probe(record).digest)
        #expect(MappingSpec.fingerprint(of: "a") != MappingSpec.fingerprint(of: "b"))
    }

    @Test func valuesAreDelimited() {
        var one = Digest128()
        one.add("ab")
        one.add("c")
        var two = Digest128()
        two.add("a")
        two.add("bc")
        var absent = Digest128()
        absent.add("ab")
        absent.addAbsent()
        #expect(one.digest != two.digest && one.digest != absent.digest)
        #expect(one.digest.hex.count == 32 && one.digest.hex.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }
}
