@testable import Importers

/// The XML reader: the first byte picks CMT (with or without an entity filter) or generic XML.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = bytes(data, size)
    let mode: XMLRecordReader.Mode
    switch (input.first ?? 0) % 3 {
    case 0: mode = .cmt(entity: nil)
    case 1: mode = .cmt(entity: "lead")
    default: mode = .generic(recordElement: "lead")
    }
    if !input.isEmpty { input.removeFirst() }
    do {
        let reader = try XMLRecordReader(file: "fuzz.xml", source: FuzzSource(input), mode: mode, options: fuzzOptions)
        drain(reader, inputSize: input.count)
    } catch {}
    return 0
}
