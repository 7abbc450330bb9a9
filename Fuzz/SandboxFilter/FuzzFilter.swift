/// The sandbox's `$filter` parser (Sources/Sandbox/ListQuery.swift, compiled in as it is) and the
/// rest of the list query: `ListQuery.parse` with the fuzzer's text as `$filter`, `$orderby`,
/// `$top` or `$skiptoken` (the first byte picks).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = Array(UnsafeBufferPointer(start: data, count: size))
    let names = ["$filter", "$orderby", "$top", "$select", "$skiptoken"]
    let name = input.first.map { names[Int($0) % names.count] } ?? "$filter"
    if !input.isEmpty { input.removeFirst() }
    let text = String(decoding: input, as: UTF8.self)
    _ = try? ListQuery.parse([(name, text)])
    return 0
}
