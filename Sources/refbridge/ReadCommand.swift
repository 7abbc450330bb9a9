public import ArgumentParser
import Foundation
import Importers

struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Show what the importers see in export files: counts, rejected records with their place, notes.",
        discussion: "With --ndjson, prints every source record as one JSON object a line (fields in file order)."
    )

    @Option(name: .long, help: "csv, json, ndjson, cmt-xml or xml (default: by extension).") var format: ImportFormat?
    @Option(name: .long, help: "auto, utf-8, utf-16le, utf-16be, utf-32le, utf-32be or windows-1252 (CSV; a BOM wins).") var encoding: TextEncodingOption = .auto
    @Option(name: .long, help: "CMT: only this entity.") var entity: String?
    @Option(name: .customLong("record-element"), help: "Generic XML: the element holding one record.") var recordElement: String?
    @Flag(name: .long, help: "Print each record as NDJSON.") var ndjson = false
    @Argument(help: "The files, read as one stream.") var files: [String]

    func run() throws {
        let options = ImportOptions(format: format, encoding: encoding, entity: entity, recordElement: recordElement)
        var records = 0
        var rejected = 0
        var buffer: [UInt8] = []
        let reader: RecordReader
        do {
            reader = try RecordReader(paths: files, options: options)
            while let item = try reader.next() {
                switch item {
                case .record(let record):
                    records += 1
                    if ndjson {
                        // Written by hand: a dictionary through JSONSerialization lost the file order.
                        record.appendJSONLine(to: &buffer)
                        if buffer.count > 1 << 20 {
                            FileHandle.standardOutput.write(Data(buffer))
                            buffer.removeAll(keepingCapacity: true)
                        }
                    }
                case .rejected(let rejection):
                    rejected += 1
                    printError("\(rejection.location): \(rejection.reason)")
                }
            }
        } catch {
            printError("\(error)")
            throw Exit.configuration
        }
        FileHandle.standardOutput.write(Data(buffer))
        for notice in reader.notices { printError("note: " + notice) }
        FileHandle.standardError.write(Data("\(records + rejected) records: \(records) read, \(rejected) rejected\n".utf8))
        if rejected > 0 { throw Exit.recordsFailed }
    }
}

extension ImportFormat: ExpressibleByArgument {}
extension TextEncodingOption: ExpressibleByArgument {}

