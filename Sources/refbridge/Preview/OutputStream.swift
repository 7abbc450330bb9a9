import Foundation

/// A file descriptor written straight from byte buffers, remembering the first write error (a full
/// disk, a closed pipe) instead of crashing on it as `FileHandle.write` does; later writes are dropped.
final class OutputStream {
    let descriptor: Int32
    private(set) var writeError: String?

    private let closesOnDeinit: Bool

    init(descriptor: Int32, closesOnDeinit: Bool = true) {
        self.descriptor = descriptor
        self.closesOnDeinit = closesOnDeinit
    }

    deinit {
        if closesOnDeinit { close(descriptor) }
    }

    static var standardOutput: OutputStream { OutputStream(descriptor: STDOUT_FILENO, closesOnDeinit: false) }

    func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { bytes in
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

    func write(_ text: String) { write(Array(text.utf8)) }
}
