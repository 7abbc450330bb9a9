// Shared by the reader fuzz targets (compiled into each, see scripts/fuzz).
@testable import Importers

/// The fuzzer's bytes as a file, handed out in small uneven reads so chunk boundaries fall
/// everywhere (a real file arrives in 1 MB chunks; bugs hide at the seams).
final class FuzzSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0
    private var step = 0
    private(set) var consumed: Int64 = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: inout [UInt8], count: Int) throws -> Int {
        guard offset < bytes.count else { return 0 }
        step += 1
        let take = min(bytes.count - offset, count, step % 3 == 0 ? 7 : 4096)
        buffer.append(contentsOf: bytes[offset..<(offset + take)])
        offset += take
        consumed += Int64(take)
        return take
    }
}

/// Small limits, so the fuzzer reaches the over-the-limit paths with small inputs.
let fuzzOptions = ImportOptions(maxRecordBytes: 1024, maxFieldBytes: 256)

/// Reads to the end. Every record costs at least one byte, so more items than bytes means a state
/// that does not move on: that is a finding, as is any crash.
func drain(_ reader: any FormatReader, inputSize: Int) {
    var items = 0
    do {
        while try reader.next() != nil {
            items += 1
            if items > inputSize + 2 { fatalError("reader yields more items (\(items)) than the input has bytes (\(inputSize)): it stands still") }
        }
    } catch {
        // A clear error that stops the file is a fine outcome.
    }
}

func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}
