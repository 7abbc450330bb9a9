import Foundation
import Importers
import Testing

@testable import Mapping

/// `Mapper.probe` of a CSV record read with `deferDecoding`: the id is the one the mapping gives,
/// and the digest is of the record's bytes, its header and its delimiter, so that equal bytes
/// settle and any other byte maps again.
@Suite struct DeferredProbeTests {
    let mapper: Mapper
    init() throws { mapper = Mapper(try MappingFixture.spec()) }

    /// The records of a CSV text, read as the stream reads them (undecoded) or decoded.
    static func records(_ text: String, deferDecoding: Bool = true) throws -> [SourceRecord] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("leads.csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var options = ImportOptions()
        options.deferDecoding = deferDecoding
        let reader = try RecordReader(paths: [path], options: options)
        var records: [SourceRecord] = []
        while let item = try reader.next() {
            if case .record(let record) = item { records.append(record) }
        }
        return records
    }

    @Test func theIdIsTheOneTheDecodedRecordGives() throws {
        let text = "id,company,country,notes,modifiedon\n crm-1 ,Fabrikam,gb,n,x\n,Contoso,fr,m,y\n\"crm-\"\"3\",A,b,c,d\n"
        let lazy = try Self.records(text)
        let eager = try Self.records(text, deferDecoding: false)
        #expect(lazy.allSatisfy { $0.deferred != nil })
        #expect(lazy.map { mapper.probe($0).externalId } == eager.map { mapper.probe($0).externalId })
        #expect(lazy.map { mapper.probe($0).externalId } == ["crm-1", nil, "crm-\"3"])
        // Mapped from the bytes, a record maps as it does decoded.
        for (deferred, decoded) in zip(lazy, eager) {
            #expect(String(describing: mapper.map(deferred)) == String(describing: mapper.map(decoded)))
        }
    }

    @Test func equalBytesSettleAndAnyOtherByteDoesNot() throws {
        let header = "id,company,country,notes,modifiedon\n"
        let base = try Self.records(header + "crm-1,Fabrikam,gb,n,x\n")[0]
        // The same record later in another file: the same digest.
        let moved = try Self.records(header + "crm-0,A,b,c,d\ncrm-1,Fabrikam,gb,n,x\n")[1]
        #expect(mapper.probe(moved).digest == mapper.probe(base).digest)
        // Every field, read by the mapping or not, and the quoting: another digest.
        for changed in ["crm-1,Fabrikam Ltd,gb,n,x", "crm-1,Fabrikam,gb,,x", "crm-1,Fabrikam,gb,n,y", "crm-1,\"Fabrikam\",gb,n,x"] {
            let record = try Self.records(header + changed + "\n")[0]
            #expect(mapper.probe(record).digest != mapper.probe(base).digest, "\(changed)")
        }
        // Another header (the same columns in another order, with the bytes moved alike).
        let reordered = try Self.records("company,id,country,notes,modifiedon\nFabrikam,crm-1,gb,n,x\n")[0]
        #expect(mapper.probe(reordered).externalId == "crm-1")
        #expect(mapper.probe(reordered).digest != mapper.probe(base).digest)
        // A file with another delimiter: its bytes differ, and its delimiter is digested too.
        let semicolons = try Self.records("id;company;country;notes;modifiedon\ncrm-1;Fabrikam;gb;n;x\n")[0]
        #expect(semicolons.deferred?.delimiter == UInt8(ascii: ";"))
        #expect(mapper.probe(semicolons).digest != mapper.probe(base).digest)
        // Another mapping text.
        let edited = Mapper(try MappingFixture.spec("# a comment"))
        #expect(edited.probe(base).digest != mapper.probe(base).digest)
        // And never the digest of the same record decoded (the two kinds never meet by chance).
        let decoded = try Self.records(header + "crm-1,Fabrikam,gb,n,x\n", deferDecoding: false)[0]
        #expect(mapper.probe(decoded).digest != mapper.probe(base).digest)
    }

    @Test func aKeyOfSeveralColumnsOrCasesIsDecoded() throws {
        let spec = try MappingSpec.parse(yaml: MappingFixture.base.replacingOccurrences(of: "key: id", with: "key: { fields: [id, altid] }"), file: "m.yaml")
        let fallback = Mapper(spec)
        let lazy = try Self.records("id,altid,company,country,notes\n,alt-1,A,gb,n\nmain,alt-2,B,gb,n\n")
        #expect(lazy.map { fallback.probe($0).externalId } == ["alt-1", "main"])
    }
}
