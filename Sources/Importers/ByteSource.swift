import CZlib
import Foundation

/// Bytes of a file in large chunks, gunzipped on the fly for `.gz` files.
protocol ByteSource: AnyObject {
    /// Appends up to about `count` bytes to `buffer`; returns how many (0 at the end).
    func read(into buffer: inout [UInt8], count: Int) throws -> Int
    /// Bytes of the file consumed so far (compressed bytes for gzip), for progress.
    var consumed: Int64 { get }
}

enum ByteSources {
    static let chunkSize = 1 << 20

    static func open(_ path: String, maxGzipRatio: Int = ImportOptions.defaultMaxGzipRatio) throws -> any ByteSource {
        guard let file = fopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw ImportError(file: path, message: "cannot open the file (\(reason)): check the path and permissions")
        }
        let plain = FileByteSource(file: file)
        // The gzip magic, whatever the name says.
        var head: [UInt8] = []
        _ = try plain.read(into: &head, count: 2)
        plain.pushBack(head)
        if head == [0x1F, 0x8B] { return try GzipByteSource(source: plain, path: path, maxRatio: maxGzipRatio) }
        return plain
    }
}

final class FileByteSource: ByteSource {
    private let file: UnsafeMutablePointer<FILE>
    private var pending: [UInt8] = []
    private(set) var consumed: Int64 = 0

    init(file: UnsafeMutablePointer<FILE>) { self.file = file }
    deinit { fclose(file) }

    func pushBack(_ bytes: [UInt8]) {
        pending = bytes + pending
        consumed -= Int64(bytes.count)
    }

    func read(into buffer: inout [UInt8], count: Int) throws -> Int {
        if !pending.isEmpty {
            let taken = pending
            pending = []
            buffer.append(contentsOf: taken)
            consumed += Int64(taken.count)
            return taken.count
        }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        let got = buffer.withUnsafeMutableBufferPointer { pointer in
            fread(pointer.baseAddress! + start, 1, count, file)
        }
        buffer.removeLast(count - got)
        if got == 0, ferror(file) != 0 { throw ImportError(file: "", message: "read error: \(String(cString: strerror(errno)))") }
        consumed += Int64(got)
        return got
    }
}

final class GzipByteSource: ByteSource {
    private let source: FileByteSource
    private var stream = z_stream()
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var finished = false
    private let path: String
    private let maxRatio: Int64
    private let ratioFloor: Int64
    /// Compressed bytes inflated and bytes they gave, for the ratio limit.
    private var totalIn: Int64 = 0
    private var totalOut: Int64 = 0
    var consumed: Int64 { source.consumed }

    init(source: FileByteSource, path: String, maxRatio: Int = ImportOptions.defaultMaxGzipRatio, ratioFloor: Int64 = ImportOptions.gzipRatioFloor) throws {
        self.source = source
        self.path = path
        self.maxRatio = Int64(max(1, maxRatio))
        self.ratioFloor = ratioFloor
        // 15 + 32: a zlib or gzip header, detected.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ImportError(file: path, message: "cannot start gzip decompression")
        }
    }

    deinit { inflateEnd(&stream) }

    func read(into buffer: inout [UInt8], count: Int) throws -> Int {
        var produced = 0
        while produced == 0, !finished {
            if inputOffset >= input.count {
                input.removeAll(keepingCapacity: true)
                inputOffset = 0
                if (try source.read(into: &input, count: ByteSources.chunkSize)) == 0 {
                    throw ImportError(file: path, message: "the gzip file is truncated: it ends before its last block")
                }
            }
            let start = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: count))
            let status: Int32 = input.withUnsafeMutableBufferPointer { inBuffer in
                buffer.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = inBuffer.baseAddress! + inputOffset
                    stream.avail_in = UInt32(inBuffer.count - inputOffset)
                    stream.next_out = outBuffer.baseAddress! + start
                    stream.avail_out = UInt32(count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    let newOffset = inBuffer.count - Int(stream.avail_in)
                    totalIn += Int64(newOffset - inputOffset)
                    inputOffset = newOffset
                    return status
                }
            }
            let got = count - Int(stream.avail_out)
            buffer.removeLast(count - got)
            produced += got
            totalOut += Int64(got)
            // A decompression bomb: refused before it costs more than the floor in work.
            if totalOut > ratioFloor, totalOut / max(1, totalIn) > maxRatio {
                throw ImportError(file: path, message: "the gzip data inflates more than \(maxRatio) times (\(totalIn) bytes gave \(totalOut) so far): refused as a decompression bomb; if the file is genuine, raise `maxGzipRatio` or gunzip it first")
            }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                // Concatenated gzip members are legal: go on if more input follows.
                if try inputOffset < input.count || source.read(into: &input, count: ByteSources.chunkSize) > 0 {
                    inflateReset(&stream)
                } else {
                    finished = true
                }
            default:
                throw ImportError(file: path, message: "the gzip data is corrupt (zlib status \(status))")
            }
        }
        return produced
    }
}
