import Foundation
import Importers
import Testing

@testable import Mapping

/// The parallel mapper must give exactly what one mapper gives, record for record, in input order.
@Suite struct BatchMapperTests {
    struct Failure: Error, Equatable { let stage: String }

    /// 5,000 records, some rejected by the importer, some by the mapping, some with changing headers.
    static func items() -> [ImportItem] {
        (1...5000).map { index in
            if index % 997 == 0 {
                return .rejected(RejectedRecord(location: SourceLocation(file: "f.csv", record: index), reason: "broken line \(index)"))
            }
            var fields = MappingFixture.good
            fields["id"] = "crm-\(index)"
            if index % 7 == 0 { fields["country"] = "Narnia" }
            // Another column order now and then: each chunk's mapper must re-resolve the header.
            let names = index % 500 < 250 ? fields.keys.sorted() : fields.keys.sorted().reversed()
            var record = MappingFixture.record(fields, names: Array(names))
            record.location = SourceLocation(file: "f.csv", record: index)
            return .record(record)
        }
    }

    static func describe(_ outcome: MappingOutcome) -> String {
        switch outcome {
        case .mapped(let mapped): "mapped \(mapped.externalReferenceId) \(mapped.referral.customerProfile?.address?.country ?? "-")"
        case .skipped(let id, let reason): "skipped \(id ?? "-") \(reason)"
        case .rejected(let id, let issues): "rejected \(id ?? "-") \(issues.map(\.field))"
        }
    }

    @Test(arguments: [1, 2, 3, 8])
    func outcomesMatchOneMapperInInputOrder(workers: Int) throws {
        let spec = try MappingFixture.spec()
        let items = Self.items()
        let records = items.compactMap { if case .record(let record) = $0 { record } else { nil } }
        let sequential = Mapper(spec)
        let expected = records.map { Self.describe(sequential.map($0)) }

        let batch = BatchMapper(spec, workers: workers, batchSize: 300)
        #expect(batch.map(records).map(Self.describe) == expected)

        var remaining = items[...]
        var seenItems: [String] = []
        var seenOutcomes: [String] = []
        try batch.run(read: {
            var taken: [ImportItem] = []
            var records = 0
            while records < batch.batchSize, let item = remaining.popFirst() {
                if case .record = item { records += 1 }
                taken.append(item)
            }
            return taken
        }, report: { items, outcomes in
            seenItems += items.map { if case .record(let r) = $0 { "\(r.location.record)" } else { "rejected" } }
            seenOutcomes += outcomes.map(Self.describe)
        })
        #expect(seenOutcomes == expected)
        #expect(seenItems == items.map { if case .record(let r) = $0 { "\(r.location.record)" } else { "rejected" } })
    }

    @Test func aReadErrorComesAfterEveryBatchReadBeforeIt() throws {
        let spec = try MappingFixture.spec()
        let batch = BatchMapper(spec, workers: 2, batchSize: 100)
        var calls = 0
        var reported = 0
        #expect(throws: Failure(stage: "read")) {
            try batch.run(read: {
                calls += 1
                if calls == 4 { throw Failure(stage: "read") }
                return Array(Self.items().prefix(100))
            }, report: { items, _ in reported += items.count })
        }
        #expect(reported == 300)
    }

    @Test func aReportErrorStopsTheRun() throws {
        let spec = try MappingFixture.spec()
        let batch = BatchMapper(spec, workers: 2, batchSize: 100)
        var reads = 0
        var reports = 0
        #expect(throws: Failure(stage: "report")) {
            try batch.run(read: {
                reads += 1
                return reads > 50 ? [] : Array(Self.items().prefix(100))
            }, report: { _, _ in
                reports += 1
                if reports == 2 { throw Failure(stage: "report") }
            })
        }
        #expect(reports == 2 && reads < 50)
    }
}
