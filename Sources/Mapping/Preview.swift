import Foundation
import Importers
import Referrals

/// Counts of a preview (and of a dry run's mapping step).
public struct PreviewSummary: Sendable, Codable {
    public var records = 0
    public var mapped = 0
    public var skipped = 0
    public var rejected = 0
    public var duplicates = 0
    public var warnings = 0
    public var notices: [String] = []
    /// Reason → how many records were rejected for it.
    public var rejectReasons: [String: Int] = [:]

    public init() {}
}

/// One record's preview outcome, for the writers.
public struct PreviewItem: Sendable {
    public enum Result: Sendable {
        case mapped(MappedReferral)
        case skipped(externalReferenceId: String?, reason: String)
        case rejected(externalReferenceId: String?, issues: [MappingIssue])
    }

    public var location: SourceLocation
    public var result: Result
    /// The source fields, kept only for the HTML page.
    public var source: SourceRecord?
}

/// Runs the mapping over input files without network or ledger, handing each outcome to `emit` in
/// input order. Duplicate external ids are rejected (the uploader never sends the second one).
public struct PreviewRunner {
    public var spec: MappingSpec
    public var limit: Int?
    public var keepSource = false
    /// Threads that map records; the output is in input order whatever the number.
    public var workers: Int

    public init(spec: MappingSpec, limit: Int? = nil, keepSource: Bool = false, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.spec = spec
        self.limit = limit
        self.keepSource = keepSource
        self.workers = workers
    }

    public func run(paths: [String], emit: (PreviewItem) throws -> Void) throws -> PreviewSummary {
        var summary = PreviewSummary()
        let mapper = BatchMapper(spec, workers: workers)
        var duplicates = DuplicateKeys()
        let reader = try RecordReader(paths: paths, options: spec.source.importOptions)
        var checkedHeader = false
        var read = 0
        try mapper.run(read: {
            var items: [ImportItem] = []
            var records = 0
            while records < mapper.batchSize, read < (limit ?? Int.max), let item = try reader.next() {
                read += 1
                if case .record = item {
                    records += 1
                    if !checkedHeader {
                        checkedHeader = true
                        if let header = reader.header {
                            let problems = spec.check(header: header)
                            if !problems.isEmpty { throw MappingLoadErrors(errors: problems) }
                        }
                    }
                }
                items.append(item)
            }
            return items
        }, report: { items, outcomes in
            var outcomes = outcomes.makeIterator()
            for item in items {
                summary.records += 1
                switch item {
                case .rejected(let rejected):
                    summary.rejected += 1
                    summary.rejectReasons[Self.reasonKey(rejected.reason), default: 0] += 1
                    try emit(PreviewItem(location: rejected.location, result: .rejected(externalReferenceId: nil, issues: [MappingIssue(field: "(input)", message: rejected.reason)])))
                case .record(let record):
                    let result = Self.result(of: outcomes.next()!, at: record.location, duplicates: &duplicates, summary: &summary)
                    try emit(PreviewItem(location: record.location, result: result, source: keepSource ? record : nil))
                }
            }
        })
        summary.notices = reader.notices
        return summary
    }

    /// The outcome as reported, counted; a second record with an id already seen is rejected.
    private static func result(of outcome: MappingOutcome, at location: SourceLocation, duplicates: inout DuplicateKeys, summary: inout PreviewSummary) -> PreviewItem.Result {
        switch outcome {
        case .mapped(let mapped):
            if let first = duplicates.firstSeen(mapped.externalReferenceId, at: location) {
                summary.rejected += 1
                summary.duplicates += 1
                summary.rejectReasons["externalReferenceId: duplicate", default: 0] += 1
                let issue = MappingIssue(field: "externalReferenceId", message: "duplicate of \(first): only the first is sent")
                return .rejected(externalReferenceId: mapped.externalReferenceId, issues: [issue])
            }
            summary.mapped += 1
            summary.warnings += mapped.warnings.count
            return .mapped(mapped)
        case .skipped(let id, let reason):
            summary.skipped += 1
            return .skipped(externalReferenceId: id, reason: reason)
        case .rejected(let id, let issues):
            summary.rejected += 1
            for issue in issues { summary.rejectReasons[reasonKey("\(issue.field): \(issue.message)"), default: 0] += 1 }
            return .rejected(externalReferenceId: id, issues: issues)
        }
    }

    /// Groups reasons that differ only by the value quoted in them.
    static func reasonKey(_ reason: String) -> String {
        var key = ""
        var inQuote = false
        for character in reason {
            if character == "'" {
                if !inQuote { key += "'…'" }
                inQuote.toggle()
            } else if !inQuote {
                key.append(character)
            }
        }
        return key
    }
}

/// Writes preview lines as NDJSON through one reused buffer.
public final class NDJSONPreviewWriter {
    private let output: FileHandle
    private var buffer: [UInt8] = []
    private var lastFile = ""
    private var lastFileJSON: [UInt8] = [34, 34]

    public init(output: FileHandle) {
        self.output = output
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ item: PreviewItem) {
        buffer.append(contentsOf: #"{"source":{"file":"#.utf8)
        // Every line names its file: escaped once per file, not once per line.
        if item.location.file != lastFile {
            lastFile = item.location.file
            lastFileJSON.removeAll(keepingCapacity: true)
            JSONText.append(lastFile, to: &lastFileJSON)
        }
        buffer.append(contentsOf: lastFileJSON)
        buffer.append(contentsOf: #","record":"#.utf8)
        buffer.append(contentsOf: String(item.location.record).utf8)
        if let line = item.location.line {
            buffer.append(contentsOf: #","line":"#.utf8)
            buffer.append(contentsOf: String(line).utf8)
        }
        buffer.append(UInt8(ascii: "}"))
        switch item.result {
        case .mapped(let mapped):
            buffer.append(contentsOf: #","externalReferenceId":"#.utf8)
            JSONText.append(mapped.externalReferenceId, to: &buffer)
            buffer.append(contentsOf: #","referral":"#.utf8)
            ReferralJSON.encode(mapped.referral, into: &buffer)
            buffer.append(contentsOf: #","warnings":["#.utf8)
            for (index, warning) in mapped.warnings.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                JSONText.append(warning, to: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .skipped(let id, let reason):
            if let id {
                buffer.append(contentsOf: #","externalReferenceId":"#.utf8)
                JSONText.append(id, to: &buffer)
            }
            buffer.append(contentsOf: #","skipped":"#.utf8)
            JSONText.append(reason, to: &buffer)
        case .rejected(let id, let issues):
            if let id {
                buffer.append(contentsOf: #","externalReferenceId":"#.utf8)
                JSONText.append(id, to: &buffer)
            }
            buffer.append(contentsOf: #","errors":["#.utf8)
            for (index, issue) in issues.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(contentsOf: #"{"field":"#.utf8)
                JSONText.append(issue.field, to: &buffer)
                buffer.append(contentsOf: #","message":"#.utf8)
                JSONText.append(issue.message, to: &buffer)
                buffer.append(UInt8(ascii: "}"))
            }
            buffer.append(UInt8(ascii: "]"))
        }
        buffer.append(contentsOf: "}\n".utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    /// Why writing stopped (a full disk, a closed pipe), if it did; later lines are dropped.
    public private(set) var writeError: String?

    public func flush() {
        guard !buffer.isEmpty else { return }
        // Straight from the buffer: `FileHandle.write(Data(…))` would copy every megabyte once more.
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count, writeError == nil {
                let written = Foundation.write(output.fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written >= 0 {
                    offset += written
                } else if errno != EINTR {
                    writeError = String(cString: strerror(errno))
                }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// JSON string escaping into bytes.
enum JSONText {
    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func append(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(34)
        for byte in text.utf8 {
            switch byte {
            case 34: buffer.append(contentsOf: [92, 34])
            case 92: buffer.append(contentsOf: [92, 92])
            case 10: buffer.append(contentsOf: [92, 110])
            case 13: buffer.append(contentsOf: [92, 114])
            case 9: buffer.append(contentsOf: [92, 116])
            case 0..<0x20: buffer.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: buffer.append(byte)
            }
        }
        buffer.append(34)
    }
}
