@testable import Importers

/// The CSV reader (with its transcoder: the first byte picks the encoding option).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = bytes(data, size)
    var options = fuzzOptions
    if let first = input.first {
        options.encoding = TextEncodingOption.allCases[Int(first) % TextEncodingOption.allCases.count]
        options.delimiter = first & 0x40 != 0 ? nil : UInt8(ascii: ";")
        input.removeFirst()
    }
    do {
        let reader = try CSVRecordReader(file: "fuzz.csv", source: FuzzSource(input), options: options)
        drain(reader, inputSize: input.count)
    } catch {}
    return 0
}
