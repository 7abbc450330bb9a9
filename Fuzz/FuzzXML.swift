@testable import Importers

/// The XML reader: the first byte picks CMT (with or without an entity filter) or generic XML.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = bytes(data, size)
    let choice = (input.first ?? 0) % 3
    if !input.isEmpty { input.removeFirst() }
    do {
        // CMT files are read by the SAX2 reader, generic record XML by the streaming reader.
        switch choice {
        case 0: drain(CMTRecordReader(file: "fuzz.xml", source: FuzzSource(input), entity: nil, options: fuzzOptions), inputSize: input.count)
        case 1: drain(CMTRecordReader(file: "fuzz.xml", source: FuzzSource(input), entity: "lead", options: fuzzOptions), inputSize: input.count)
        default: drain(try XMLRecordReader(file: "fuzz.xml", source: FuzzSource(input), mode: .generic(recordElement: "lead"), options: fuzzOptions), inputSize: input.count)
        }
    } catch {}
    return 0
}
