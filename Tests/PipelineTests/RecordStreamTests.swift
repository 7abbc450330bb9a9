import Foundation
import Importers
import Mapping
import Referrals
import Fixtures
import Testing

@testable import Pipeline

/// A folder of input files for one test, removed at the end.
struct Inputs {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    static let mapping = """
        name: t
        key: id
        skip:
          - when: { field: status, equals: lost }
            reason: lost lead
        fields:
          customerProfile.name: company
          customerProfile.address.country: country
          consent.consentToToShareInfoWithOthers: { const: true }
          consent.consentToContact: { const: false }
          details.notes: notes
          type: { const: Independent }
        """

    static func spec(_ text: String = mapping, system: String? = nil) throws -> MappingSpec {
        try MappingSpec.parse(yaml: system.map { text.replacingOccurrences(of: "name: t", with: "name: \($0)") } ?? text, file: "m.yaml")
    }

    /// `count` rows with every kind of outcome: mapped, skipped, rejected (no id, bad country),
    /// duplicate ids, and ragged rows the reader refuses.
    static func mixedCSV(_ count: Int) -> String {
        var text = "id,company,country,notes,status\n"
        for index in 1...count {
            switch index % 10 {
            case 1: text += "crm-\(index),Company \(index),XX,n,open\n"  // bad country
            case 2: text += ",Company \(index),GB,n,open\n"  // no id
            case 3: text += "crm-\(index),Company \(index),GB,n,lost\n"  // skipped
            case 4: text += "crm-\(index - 1),Again \(index),GB,n,open\n"  // the id of a skipped record: not a duplicate
            case 5: text += "crm-\(index),ragged\n"  // reader reject
            case 6: text += "crm-\(index - 6),Dup \(index),GB,n,open\n"  // duplicate of an earlier mapped id
            default: text += "crm-\(index),Company \(index),GB,\"a, note\",open\n"
            }
        }
        return text
    }
}

func drain(_ stream: RecordStream) async throws -> ([StreamRecord], [RecordChunk]) {
    var records: [StreamRecord] = []
    var chunks: [RecordChunk] = []
    while let chunk = try await stream.next() {
        records += chunk.records
        chunks.append(RecordChunk(sourceIndex: chunk.sourceIndex, system: chunk.system, records: [], bytesRead: chunk.bytesRead) )
        chunks[chunks.count - 1].records = chunk.records
    }
    return (records, chunks)
}

/// A comparable digest of an outcome: kind, id and (for mapped) the payload hash.
func digest(_ record: StreamRecord) -> String {
    switch record.outcome {
    case .mapped(let mapped): "\(record.location.record) mapped \(record.externalId ?? "-") \(mapped.payloadHash)"
    case .skipped(let reason): "\(record.location.record) skipped \(record.externalId ?? "-") \(reason)"
    case .rejected(let issues, let duplicate): "\(record.location.record) rejected \(record.externalId ?? "-") \(duplicate) \(duplicate ? [] : issues.map(\.message))"
    case .sameAsLedger(let reason): "\(record.location.record) same as ledger \(record.externalId ?? "-") \(reason ?? "")"
    }
}

@Suite struct RecordStreamTests {
    @Test(arguments: [(1, 7), (2, 100), (2, RecordStream.defaultChunkSize), (3, 1024), (8, 33)])
    func outcomesAreThoseOfOneMapperInInputOrder(workers: Int, chunkSize: Int) async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("leads.csv", Inputs.mixedCSV(1000))
        let spec = try Inputs.spec()
        let stream = try RecordStream(sources: [StreamSource(files: [file], spec: spec)], chunkSize: chunkSize, workers: workers)
        let (records, chunks) = try await drain(stream)

        // The reference: one mapper, one record at a time, duplicates by hand.
        let reader = try RecordReader(paths: [file])
        let mapper = Mapper(spec)
        var expected: [String] = []
        var seen: Set<String> = []
        while let item = try reader.next() {
            var record = RecordStream.record(of: item, mapper: mapper, keepSource: false)
            if case .mapped = record.outcome, let id = record.externalId, !seen.insert(id).inserted {
                record.outcome = .rejected(issues: [MappingIssue(field: "externalReferenceId", message: "x")], isDuplicate: true)
            }
            expected.append(digest(record))
        }
        #expect(records.count == 1000)
        let differing = zip(records.map(digest), expected).filter { $0 != $1 }
        #expect(differing.isEmpty, "\(differing.prefix(3))")
        #expect(records.map(\.location.record) == Array(1...1000))
        #expect(chunks.allSatisfy { $0.records.count <= chunkSize })
        let counts = stream.counts
        #expect(counts.records == 1000 && counts.mapped + counts.skipped + counts.rejected == 1000)
        #expect(counts.duplicates == 99 && counts.skipped == 100)
    }

    /// A preview lets each referral go once encoded: the bytes and warnings are the same, and the
    /// referral, if ever asked for, is the same one.
    @Test func recordsThatLetTheirReferralGoKeepTheSameBytes() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("leads.csv", Inputs.mixedCSV(300))
        let spec = try Inputs.spec()
        let (kept, _) = try await drain(try RecordStream(sources: [StreamSource(files: [file], spec: spec)], chunkSize: 64))
        let (bytesOnly, _) = try await drain(try RecordStream(sources: [StreamSource(files: [file], spec: spec)], hashPayloads: false, keepReferrals: false, chunkSize: 64))
        #expect(kept.map(digest) == bytesOnly.map(digest))
        var mapped = 0
        for (one, other) in zip(kept, bytesOnly) {
            guard case .mapped(let full) = one.outcome, case .mapped(let bytes) = other.outcome else { continue }
            mapped += 1
            #expect(full.json == bytes.json && full.warnings == bytes.warnings)
            #expect(full.referral == bytes.referral)
        }
        #expect(mapped > 100)
    }

    @Test func chunksCloseOnEveryOutcomeSoMemoryIsBounded() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        // Nothing but records the reader refuses: a chunk must still close after `chunkSize`.
        let file = try inputs.write("bad.csv", "id,company,country,notes,status\n" + String(repeating: "x\n", count: 5000))
        let stream = try RecordStream(sources: [StreamSource(files: [file], spec: try Inputs.spec())], chunkSize: 100)
        var chunks = 0
        while let chunk = try await stream.next() {
            chunks += 1
            #expect(chunk.records.count <= 100)
        }
        #expect(chunks == 50 && stream.counts.rejected == 5000)
    }

    /// Runs of one reason are counted together; the totals are those of counting one by one, and
    /// they survive a round trip through JSON (the preview's summary).
    @Test func rejectReasonsInRunsAndInterleaved() throws {
        var counts = StreamCounts()
        func reject(_ message: String) -> StreamRecord.Outcome {
            .rejected(issues: [MappingIssue(field: "consent", message: message)], isDuplicate: false)
        }
        for message in ["'a' is bad", "'b' is bad", "missing", "'c' is bad", "missing"] { counts.add(reject(message)) }
        counts.add(.sameAsLedger(rejectedFor: "consent: 'd' is bad"))
        let expected = ["consent: '…' is bad": 4, "consent: missing": 2]
        #expect(counts.rejectReasons == expected && counts.rejected == 6)
        let decoded = try JSONDecoder().decode(StreamCounts.self, from: JSONEncoder().encode(counts))
        #expect(decoded.rejectReasons == expected && decoded.rejected == 6)
    }

    @Test func rejectReasonsStayBoundedWhateverTheInput() {
        var counts = StreamCounts()
        for index in 0..<10_000 {
            counts.add(.rejected(issues: [MappingIssue(field: "f\(index % 500)x", message: "bad at line \(index)")], isDuplicate: false))
        }
        #expect(counts.rejectReasons.count <= StreamCounts.maxReasons + 1)
        #expect(counts.rejectReasons.values.reduce(0, +) == 10_000)
        #expect(StreamCounts.reasonKey("line 12, column 3: value '42' is bad") == "line N, column N: value '…' is bad")
        #expect(StreamCounts.reasonKey("Zürich: 3½ ٣ 2026-12-02 'open") == "Zürich: N½ ٣ N-N-N '…'")
        #expect(StreamCounts.reasonKey("") == "")
    }

    @Test func aColumnTheExportLacksStopsBeforeAnyRecord() throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("leads.csv", "id,company,notes,status\ncrm-1,A,n,open\n")
        #expect {
            try RecordStream(sources: [StreamSource(files: [file], spec: try Inputs.spec())])
        } throws: { error in
            "\(error)".contains("'country' is not in the input's header") && "\(error)".contains(file)
        }
        // A header-only file is checked too.
        let headerOnly = try inputs.write("empty.csv", "id,company,notes,status\n")
        #expect(throws: SourceProblems.self) { try RecordStream(sources: [StreamSource(files: [headerOnly], spec: try Inputs.spec())]) }
    }

    @Test func aFileWithoutRecordsIsAnErrorUnlessAllowed() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let empty = try inputs.write("empty.csv", "id,company,country,notes,status\n")
        let good = try inputs.write("good.csv", "id,company,country,notes,status\ncrm-1,A,GB,n,open\n")
        let spec = try Inputs.spec()
        let (records, _) = try await drain(try RecordStream(sources: [StreamSource(files: [empty, good], spec: spec)]))
        #expect(records.count == 2)
        #expect(records[0].location.file == empty && records[0].reason?.contains("no record in this file") == true)
        let (allowed, _) = try await drain(try RecordStream(sources: [StreamSource(files: [empty, good], spec: spec, allowEmpty: true)]))
        #expect(allowed.count == 1)
    }

    @Test func aFileThatCannotBeReadIsOneRejectThatNamesIt() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let broken = try inputs.write("broken.xml", "<entities><entity name=\"lead\"><records><record id=\"1\"><field name=\"company\" value=\"A\"/></record><record")
        let spec = try Inputs.spec()
        let (records, _) = try await drain(try RecordStream(sources: [StreamSource(files: [broken], spec: spec)]))
        #expect(records.contains { $0.location.file == broken && $0.reason?.contains("reading stopped") == true })
    }

    @Test func idsAreUniquePerSystemAcrossChunksAndFiles() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let first = try inputs.write("a.csv", "id,company,country,notes,status\ncrm-1,A,GB,n,open\n")
        let second = try inputs.write("b.csv", "id,company,country,notes,status\ncrm-1,B,GB,n,open\n")
        let sameSystem = try RecordStream(sources: [StreamSource(files: [first], spec: try Inputs.spec()), StreamSource(files: [second], spec: try Inputs.spec())], chunkSize: 1)
        let (records, _) = try await drain(sameSystem)
        guard case .rejected(let issues, true) = records[1].outcome else {
            Issue.record("the second crm-1 of the same system must be a duplicate")
            return
        }
        #expect(issues[0].message.contains("a.csv:record 1"))
        let otherSystem = try RecordStream(sources: [StreamSource(files: [first], spec: try Inputs.spec()), StreamSource(files: [second], spec: try Inputs.spec(system: "other"))])
        let (both, chunks) = try await drain(otherSystem)
        #expect(both.allSatisfy { if case .mapped = $0.outcome { true } else { false } })
        #expect(chunks.map(\.system) == ["t", "other"])
    }

    @Test func theLimitCountsInputRecords() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("leads.csv", Inputs.mixedCSV(100))
        let (records, _) = try await drain(try RecordStream(sources: [StreamSource(files: [file], spec: try Inputs.spec())], limit: 37, chunkSize: 10))
        #expect(records.count == 37)
    }
}

@Suite struct PresetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: PresetSamples.pairs)
    func everyPresetPreviewsItsSampleWithoutRejects(preset: String, samples: [String]) async throws {
        let spec = try MappingSpec.load(path: Self.root.appendingPathComponent("mappings/\(preset).yaml").path)
        let stream = try RecordStream(sources: [StreamSource(files: samples.map { Self.root.appendingPathComponent("samples/\($0)").path }, spec: spec)])
        let (records, _) = try await drain(stream)
        #expect(stream.counts.rejected == 0, "\(records.compactMap(\.reason))")
        #expect(stream.counts.mapped > 0 && stream.counts.records == records.count)
    }
}

@Suite struct WrongFileTests {
    @Test func aJSONFileForACSVMappingIsNamedAsSuch() throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("leads.csv", #"{"value":[{"leadid":"a"}]}"#)
        #expect {
            try RecordStream(sources: [StreamSource(files: [file], spec: try Inputs.spec())])
        } throws: { error in
            "\(error)".contains("this file looks like JSON; the mapping m.yaml expects CSV")
        }
    }

    @Test func aSavedErrorAnswerIsReportedAsThatError() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("page.json", #"{"error":{"code":"0x80060888","message":"Resource not found for the segment 'leadz'."}}"#)
        let spec = try Inputs.spec(Inputs.mapping.replacingOccurrences(of: "key: id", with: "key: leadid"))
        let (records, _) = try await drain(try RecordStream(sources: [StreamSource(files: [file], spec: spec)]))
        #expect(records.count == 1)
        #expect(records[0].reason?.contains("saved Web API error answer, not records: 0x80060888: Resource not found") == true)
    }

    @Test func aCMTEntityTheFileLacksNamesTheOnesItHas() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("data.xml", #"<entities><entity name="account" displayname="Account"><records><record id="1"><field name="name" value="A"/></record></records></entity><entity name="contact" displayname="Contact"><records/></entity></entities>"#)
        let spec = try Inputs.spec(Inputs.mapping.replacingOccurrences(of: "name: t\n", with: "name: t\nsource: { entity: lead }\n"))
        let (records, _) = try await drain(try RecordStream(sources: [StreamSource(files: [file], spec: spec)]))
        #expect(records.count == 1)
        #expect(records[0].reason?.contains("it has no 'lead' entity") == true && records[0].reason?.contains("'account', 'contact'") == true, "\(records.map(\.reason))")
    }
}

@Suite struct MisfitTests {
    @Test func aJSONMappingThatFitsNothingInTheFileFailsOncePerFile() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("accounts.json", #"{"value":[{"accountid":"1","name":"A"},{"accountid":"2","name":"B"},{"accountid":"3","name":"C"}]}"#)
        let (records, _) = try await drain(try RecordStream(sources: [StreamSource(files: [file], spec: try Inputs.spec())]))
        #expect(records.count == 1)
        #expect(records[0].reason?.contains("does not fit this file") == true && records[0].reason?.contains("accountid, name") == true, "\(records.map(\.reason))")
    }

    @Test func aRecordMissingOnlyItsIdIsRejectedAlone() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("leads.json", #"[{"company":"A","country":"GB","notes":"n"},{"id":"2","company":"B","country":"GB","notes":"n"}]"#)
        let (records, _) = try await drain(try RecordStream(sources: [StreamSource(files: [file], spec: try Inputs.spec())]))
        #expect(records.count == 2 && records[1].externalId == "2")
    }

    @Test func formattedValuesWithoutAnnotationsGiveAHint() async throws {
        let inputs = try Inputs()
        defer { inputs.remove() }
        let file = try inputs.write("leads.json", #"[{"id":"1","company":"A","country":"GB","notes":"n"}]"#)
        let spec = try Inputs.spec(Inputs.mapping.replacingOccurrences(of: "details.notes: notes", with: "details.notes: { field: notes, formatted: true }"))
        let stream = try RecordStream(sources: [StreamSource(files: [file], spec: spec)])
        _ = try await drain(stream)
        #expect(await stream.notices.contains { $0.contains("Prefer: odata.include-annotations") })
    }
}
