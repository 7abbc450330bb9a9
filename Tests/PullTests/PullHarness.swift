import Foundation
@testable import Ledger
import Logging
import Mapping
import PartnerClient
import Referrals
import Sandbox
import Writeback

@testable import Sync

/// An in-process sandbox holding `count` referrals of ours (as a sync would have left them), a
/// ledger that knows them, and a client. Seeded directly: a 10k-record job is set up in a second.
struct PullHarness {
    let sandbox: SandboxServer
    let client: PartnerClient
    let ledger: LedgerDatabase
    let folder: String
    static let system = "test-leads"

    static func with(
        referrals count: Int, configure: (inout SandboxConfiguration) -> Void = { _ in },
        _ body: (PullHarness) async throws -> Void
    ) async throws {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configuration.seed = 42
        configure(&configuration)
        var quiet = Logger(label: "pull-test")
        quiet.logLevel = .critical
        let server = try await SandboxServer.start(configuration, logger: quiet)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pull-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // In memory, filled with one statement: 10k single writes cost more than the test itself.
        let ledger = try LedgerDatabase.inMemory()
        try await ledger.insertCreatedForTests(system: system, count: count)
        // Referrals as the sandbox answers a create: Active/Accepted, one second apart.
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        var items: [String] = []
        for index in 0..<count {
            let id = String(format: "00000000-0000-4000-8000-%012d", index)
            let externalId = String(format: "crm-%06d", index)
            let eTag = "\\\"e\(index)\\\""
            let time = APIDateTime(start.addingTimeInterval(Double(index))).text
            items.append(
                #"{"id":"\#(id)","engagementId":"\#(id)","externalReferenceId":"\#(externalId)","name":"Deal \#(index)","status":"Active","substatus":"Accepted","direction":"Outgoing","type":"Independent","createdDateTime":"\#(time)","updatedDateTime":"\#(time)","eTag":"\#(eTag)","customerProfile":{"name":"Company \#(index)"},"consent":{"consentToToShareInfoWithOthers":true,"consentToContact":true},"details":{}}"#
            )
        }
        if !items.isEmpty { try await server.seed(recorded: Data(("[" + items.joined(separator: ",") + "]").utf8)) }
        let client = PartnerClient(
            configuration: PartnerClientConfiguration(baseURL: server.baseURL, maxAttempts: 3, retry: RetryPolicy(baseDelay: .milliseconds(5), maxDelay: .milliseconds(40))),
            tokenProvider: StaticTokenProvider(token: "test"), logger: quiet)
        let harness = PullHarness(sandbox: server, client: client, ledger: ledger, folder: folder)
        do {
            try await body(harness)
        } catch {
            try? await client.shutdown()
            await server.shutdown()
            throw error
        }
        try? await client.shutdown()
        await server.shutdown()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// One pull: listing and recording, then the files.
    func pull(runId: Int64) async throws -> PullSummary {
        var summary = PullSummary(runId: runId)
        let clock = ContinuousClock()
        let start = clock.now
        try await PullJob.pull(client: client, ledger: ledger, runId: runId, summary: &summary, logger: Logger(label: "pull"))
        let listed = clock.now
        summary.writeback = try await WritebackWriter(ledger: ledger, folder: folder + "/writeback").run(targets: [Self.target], runId: runId)
        print("pull \(runId): listing and recording \(listed - start), files \(clock.now - listed)")
        return summary
    }

    static let target = WritebackTarget(
        system: system,
        writeback: try? MappingSpec.parse(yaml: mapping, file: "test.yaml").writeback,
        incoming: try? MappingSpec.parse(yaml: mapping, file: "test.yaml").incoming)

    static let mapping = """
        name: test-leads
        source: { format: csv }
        key: id
        fields:
          name: topic
          customerProfile.name: company
          consent.consentToToShareInfoWithOthers: { const: true }
          consent.consentToContact: { const: true }
        writeback:
          format: dynamics-csv
          keyColumn: Lead
          columns:
            referralId: Partner Center Referral Id
            status: Partner Center Status
            substatus: Partner Center Substatus
            syncedOn: Partner Center Synced On
        incoming:
          format: dynamics-csv
          columns:
            Topic: name
            Company Name: customerProfile.name
            First Name: customerProfile.team[0].firstName
            Last Name: customerProfile.team[0].lastName
            Email: customerProfile.team[0].email
            Partner Center Referral Id: id
            Lead Source: { const: Partner Center }
        """

    /// A CSV the way an import tool reads it: rows of cells (quotes honoured), the BOM dropped.
    static func readCSV(_ path: String) throws -> [[String]] {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw CSVProblem(message: "\(path) is not UTF-8") }
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        cell.unicodeScalars.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    cell.unicodeScalars.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(cell)
                cell = ""
            } else if character == "\r" || character == "\n" {
                if character == "\r", characters.first == "\n" { characters.removeFirst() }
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.unicodeScalars.append(character)
            }
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }

    struct CSVProblem: Error { var message: String }
}

extension LedgerDatabase {
    /// `count` records of `system` as sync leaves them after creating their referrals (external id
    /// `crm-000000`…, referral id `00000000-0000-4000-8000-000000000000`…, Active/Accepted, eTag `"e0"`…).
    func insertCreatedForTests(system: String, count: Int) async throws {
        guard count > 0 else { return }
        try await writeRawForTests(
            sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(count - 1))
                INSERT INTO entry (system, externalId, state, referralId, engagementId, needsConnected, eTag, status, substatus, attempts, createdAt, updatedAt, firstRunId, lastRunId)
                SELECT '\(system)', printf('crm-%06d', i), 'created', printf('00000000-0000-4000-8000-%012d', i), printf('00000000-0000-4000-8000-%012d', i),
                       0, printf('"e%d"', i), 'Active', 'Accepted', 0, '2026-12-01 00:00:00.000', '2026-12-01 00:00:00.000', 1, 1
                FROM n
                """)
    }
}
