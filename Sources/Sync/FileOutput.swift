import Foundation

/// A file descriptor written straight from byte buffers, remembering the first write error (a full
/// disk, a closed pipe) instead of crashing on it as `FileHandle.write` does; later writes are dropped.
public final class FileOutput {
    public let descriptor: Int32
    public private(set) var writeError: String?

    private let closesOnDeinit: Bool

    public init(descriptor: Int32, closesOnDeinit: Bool = true) {
        self.descriptor = descriptor
        self.closesOnDeinit = closesOnDeinit
    }

    deinit {
        if closesOnDeinit { close(descriptor) }
    }

    public static var standardOutput: FileOutput { FileOutput(descriptor: STDOUT_FILENO, closesOnDeinit: false) }

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    public func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        do {
            let bytes = UnsafeRawBufferPointer(bytes)
            var offset = 0
            while offset < bytes.count, writeError == nil, let base = bytes.baseAddress {
                let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
                if written >= 0 {
                    offset += written
                } else if errno != EINTR {
                    writeError = String(cString: strerror(errno))
                }
            }
        }
    }

    public func write(_ text: String) { write(Array(text.utf8)) }
}
