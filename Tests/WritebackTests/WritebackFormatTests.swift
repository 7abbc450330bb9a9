import Foundation
@testable import Ledger
import Mapping
import Testing

@testable import Writeback

/// Each write-back format read back the way its CRM reads it (issue #13).
@Suite struct WritebackFormatTests {
    static func spec(_ section: String) throws -> MappingSpec {
        try MappingSpec.parse(
            yaml: """
                name: t
                system: crm
                source: { format: csv }
                key: id
                fields:
                  name: topic
                  consent.consentToToShareInfoWithOthers: { const: true }
                  consent.consentToContact: { const: true }
                \(section)
                """, file: "t.yaml")
    }

    static func ledger(records: Int) async throws -> LedgerDatabase {
        // Record GUIDs 7a1e0000-0000-4000-8000-000000000000…, referral ids ref-0…, in one statement.
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.writeRawForTests(
            sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(records - 1))
                INSERT INTO entry (system, externalId, state, referralId, engagementId, needsConnected, eTag, status, substatus, attempts, createdAt, updatedAt)
                SELECT 'crm', printf('7a1e0000-0000-4000-8000-%012d', i), 'created', 'ref-' || i, 'eng-' || i, 0, '"e"', 'Active', 'Accepted', 0,
                       '2026-12-01 00:00:00.000', '2026-12-01 00:00:00.000'
                FROM n
                """)
        return ledger
    }

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("writeback-\(UUID().uuidString)").path
    }

    @Test func dynamicsCSVHasTheGUIDAndDisplayNamesOneRowPerRecord() async throws {
        let spec = try Self.spec(
            """
            writeback:
              format: dynamics-csv
              keyColumn: Lead
              columns:
                referralId: Partner Center Referral Id
                engagementId: Partner Center Engagement Id
                status: Partner Center Status
                substatus: Partner Center Substatus
                syncedOn: Partner Center Synced On
            """)
        let ledger = try await Self.ledger(records: 30)
        let folder = Self.folder()
        let writer = WritebackWriter(ledger: ledger, folder: folder)
        let result = try await writer.run(targets: [WritebackTarget(spec)], runId: 2)
        #expect(result.updateRows == 30)
        let file = try #require(result.files.first)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(String(validating: bytes.dropFirst(3), as: UTF8.self) != nil)
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 31)
        #expect(lines[0] == "Lead,Partner Center Referral Id,Partner Center Engagement Id,Partner Center Status,Partner Center Substatus,Partner Center Synced On")
        let first = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(first[0] == "7a1e0000-0000-4000-8000-000000000000")
        #expect(first[1] == "ref-0")
        #expect(first[3] == "Active")
        #expect(UUID(uuidString: first[0]) != nil)
        // Nothing changed: no row, no file.
        let again = try await writer.run(targets: [WritebackTarget(spec)], runId: 3)
        #expect(again.updateRows == 0)
        #expect(again.files.isEmpty)
        // One referral moves: only its record is written back.
        _ = try await ledger.recordPullPage(
            [RemoteObservation(referralId: "ref-7", direction: "Outgoing", status: "Closed", substatus: "Won", statusReason: nil, eTag: "\"f\"", updatedDateTime: "2026-12-02T00:00:00Z", engagementId: "eng-7", json: nil)],
            runId: 4, highWaterMark: nil)
        let moved = try await writer.run(targets: [WritebackTarget(spec)], runId: 4)
        #expect(moved.updateRows == 1)
        let text = try String(contentsOfFile: try #require(moved.files.first), encoding: .utf8)
        #expect(text.contains("7a1e0000-0000-4000-8000-000000000007,ref-7,eng-7,Closed,Won,"))
    }

    @Test func dataverseBatchIsMultipartWithCRLFAtMostAThousandPatchesEach() async throws {
        let spec = try Self.spec(
            """
            writeback:
              format: dataverse-batch
              entitySet: leads
              columns:
                referralId: new_partnercenterreferralid
                status: new_partnercenterstatus
                substatus: new_partnercentersubstatus
            """)
        let records = 2_345
        let ledger = try await Self.ledger(records: records)
        let result = try await WritebackWriter(ledger: ledger, folder: Self.folder()).run(targets: [WritebackTarget(spec)], runId: 2)
        let bodies = result.files.filter { $0.hasSuffix(".batch") }
        #expect(bodies.count == 3)
        let howTo = try String(contentsOfFile: try #require(result.files.first { $0.hasSuffix(".txt") }), encoding: .utf8)
        var patched: [String] = []
        for file in bodies {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            // Every line ends CRLF: no LF without its CR.
            for (index, byte) in bytes.enumerated() where byte == 10 { #expect(index > 0 && bytes[index - 1] == 13) }
            let text = String(decoding: bytes, as: UTF8.self)
            // The boundary the POST must name, as the instructions give it.
            let boundary = try #require(text.components(separatedBy: "\r\n").first.map { String($0.dropFirst(2)) })
            #expect(howTo.contains("boundary=\"\(boundary)\""))
            #expect(text.hasSuffix("--\(boundary)--\r\n"))
            let parts = text.components(separatedBy: "--\(boundary)").dropFirst().dropLast()
            #expect(parts.count <= 1000)
            for part in parts {
                let sections = part.components(separatedBy: "\r\n\r\n")
                #expect(sections.count == 3)
                #expect(sections[0].contains("Content-Type: application/http"))
                #expect(sections[0].contains("Content-Transfer-Encoding: binary"))
                let request = sections[1].components(separatedBy: "\r\n")
                let line = request[0]
                #expect(line.hasPrefix("PATCH /api/data/v9.2/leads(") && line.hasSuffix(") HTTP/1.1"))
                #expect(request.contains("Content-Type: application/json"))
                #expect(request.contains("If-Match: *"))
                let id = String(line.dropFirst("PATCH /api/data/v9.2/leads(".count).dropLast(") HTTP/1.1".count))
                patched.append(id)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(sections[2].trimmingCharacters(in: .newlines).utf8)) as? [String: Any])
                #expect(Set(json.keys) == ["new_partnercenterreferralid", "new_partnercenterstatus", "new_partnercentersubstatus"])
                #expect(json["new_partnercenterstatus"] as? String == "Active")
            }
        }
        // One PATCH per record.
        #expect(patched.count == records)
        #expect(Set(patched).count == records)
    }

    @Test func dataLoaderCSVHasIdAndTheFieldsWithAMatchingSDL() async throws {
        let spec = try Self.spec(
            """
            writeback:
              format: salesforce-csv
              columns:
                referralId: Partner_Center_Referral_Id__c
                status: Partner_Center_Status__c
                statusReason: Partner_Center_Status_Reason__c
            """)
        let ledger = try await Self.ledger(records: 5)
        _ = try await ledger.recordPullPage(
            [RemoteObservation(referralId: "ref-1", direction: "Outgoing", status: "Closed", substatus: "Lost", statusReason: "Price, \"too high\"", eTag: "\"f\"", updatedDateTime: "2026-12-02T00:00:00Z", engagementId: "eng-1", json: nil)],
            runId: 2, highWaterMark: nil)
        let result = try await WritebackWriter(ledger: ledger, folder: Self.folder()).run(targets: [WritebackTarget(spec)], runId: 2)
        let csv = try #require(result.files.first { $0.hasSuffix(".csv") })
        let sdl = try #require(result.files.first { $0.hasSuffix(".sdl") })
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: csv)))
        #expect(!bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let rows = try CSVReadBack.rows(String(decoding: bytes, as: UTF8.self))
        #expect(rows[0] == ["Id", "Partner_Center_Referral_Id__c", "Partner_Center_Status__c", "Partner_Center_Status_Reason__c"])
        #expect(rows.count == 6)
        #expect(rows.contains(["7a1e0000-0000-4000-8000-000000000001", "ref-1", "Closed", "Price, \"too high\""]))
        // The .sdl maps every CSV header to a field: `CSVHEADER=ApiName`, as Data Loader's samples.
        let mapping = try String(contentsOfFile: sdl, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        let pairs = mapping.map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        #expect(pairs.map { $0[0] } == rows[0])
        #expect(pairs.allSatisfy { $0[0] == $0[1] })
    }

    @Test func aLargeWritebackIsReadInPagesAndSplitIntoBatches() async throws {
        let spec = try Self.spec(
            """
            writeback:
              format: dynamics-csv
              keyColumn: Lead
              columns:
                referralId: Partner Center Referral Id
            """)
        let ledger = try await Self.ledger(records: 25)
        let writer = WritebackWriter(ledger: ledger, folder: Self.folder(), candidatePage: 4, maxRowsPerBatch: 10)
        let result = try await writer.run(targets: [WritebackTarget(spec)], runId: 2)
        #expect(result.updateRows == 25)
        #expect(result.files.count == 3)
        var keys: [String] = []
        for file in result.files {
            let lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }.dropFirst()
            #expect(lines.count <= 10 + 4)
            keys += lines.map { String($0.split(separator: ",")[0]) }
        }
        #expect(keys.count == 25 && Set(keys).count == 25)
        let again = try await writer.run(targets: [WritebackTarget(spec)], runId: 3)
        #expect(again.updateRows == 0 && again.files.isEmpty)
    }

    @Test func aBatchLostToACrashIsWrittenAgainTheSame() async throws {
        let spec = try Self.spec(
            """
            writeback:
              format: dynamics-csv
              keyColumn: Lead
              columns:
                referralId: Partner Center Referral Id
            """)
        let ledger = try await Self.ledger(records: 3)
        let folder = Self.folder()
        // The batch is committed, then the process dies before its file exists.
        let candidates = try await ledger.writebackCandidates(system: "crm")
        let section = try #require(spec.writeback)
        let rows = candidates.compactMap { WritebackWriter.row($0, spec: section, syncedOn: "") }
        let batch = try #require(
            try await ledger.createBatch(kind: .update, system: "crm", format: "dynamics-csv", columns: ["Partner Center Referral Id"], options: ["keyColumn": "Lead"], rows: rows, runId: 2))
        let result = try await WritebackWriter(ledger: ledger, folder: folder).run(targets: [WritebackTarget(spec)], runId: 3)
        #expect(result.rewrittenBatches == 1)
        #expect(result.updateRows == 0)
        #expect(result.files == [folder + "/crm-writeback-\(batch.id).csv"])
        let text = try String(contentsOfFile: folder + "/crm-writeback-\(batch.id).csv", encoding: .utf8)
        #expect(text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 4)
        #expect(try await ledger.unwrittenBatches().isEmpty)
    }

    /// `ledger export` says what was written back, and the time the last pull saw.
    @Test func exportCarriesTheWritebackState() async throws {
        let spec = try Self.spec(
            """
            writeback:
              format: dynamics-csv
              columns:
                status: Partner Center Status
            """)
        let ledger = try await Self.ledger(records: 2)
        _ = try await ledger.recordPullPage(
            [RemoteObservation(referralId: "ref-1", direction: "Outgoing", status: "Closed", substatus: "Won", statusReason: nil, eTag: "\"f\"", updatedDateTime: "2026-12-02T00:00:00Z", engagementId: "eng-1", json: nil)],
            runId: 2, highWaterMark: nil)
        _ = try await WritebackWriter(ledger: ledger, folder: Self.folder()).run(targets: [WritebackTarget(spec)], runId: 2)
        var json = Data()
        try ledger.export(format: .json) { json.append(contentsOf: $0) }
        let entries = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        let moved = try #require(entries.first { $0["referralId"] as? String == "ref-1" })
        #expect(moved["substatus"] as? String == "Won")
        #expect(moved["referralUpdatedDateTime"] as? String == "2026-12-02T00:00:00Z")
        #expect(moved["writtenBackBatch"] as? Int == 1)
        #expect((moved["writtenBackFile"] as? String)?.hasSuffix("crm-writeback-1.csv") == true)
        var csv = Data()
        try ledger.export(format: .csv) { csv.append(contentsOf: $0) }
        let header = String(decoding: csv, as: UTF8.self).components(separatedBy: "\r\n")[0]
        #expect(header.hasSuffix(",referralUpdatedDateTime,writtenBackBatch,writtenBackFile"))
    }

    @Test func mappingSectionsAreCheckedWithTheirLines() throws {
        #expect(throws: MappingLoadError.self) {
            try Self.spec(
                """
                writeback:
                  format: excel
                  columns:
                    referralId: X
                """)
        }
        do {
            _ = try Self.spec(
                """
                writeback:
                  format: dataverse-batch
                  columns:
                    referralid: X
                """)
            Issue.record("accepted a wrong value name")
        } catch {
            #expect("\(error)".contains("referralid"))
            #expect("\(error)".contains("entitySet"))
        }
    }
}

/// RFC 4180 as Data Loader reads it.
enum CSVReadBack {
    static func rows(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var rest = Array(text)[...]
        while let character = rest.popFirst() {
            if quoted {
                if character == "\"" {
                    if rest.first == "\"" { cell.append("\""); rest.removeFirst() } else { quoted = false }
                } else {
                    cell.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(cell)
                cell = ""
            } else if character == "\n" || character == "\r\n" {
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.append(character)
            }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows
    }
}
