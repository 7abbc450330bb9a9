@testable import Importers

/// The JSON reader: the first byte says document or NDJSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = bytes(data, size)
    let lines = input.first.map { $0 & 1 == 1 } ?? false
    if !input.isEmpty { input.removeFirst() }
    let reader = JSONRecordReader(file: "fuzz.json", source: FuzzSource(input), lineDelimited: lines, options: fuzzOptions)
    drain(reader, inputSize: input.count)
    return 0
}
