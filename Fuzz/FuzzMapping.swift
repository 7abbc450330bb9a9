import Mapping

/// The mapping loader: a mapping file's YAML text, as `MappingSpec.load` would read it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMapping(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? MappingSpec.parse(yaml: text, file: "fuzz.yaml")
    return 0
}
