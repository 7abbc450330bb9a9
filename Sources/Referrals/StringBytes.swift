extension String {
    /// `body` with the string's UTF-8 bytes where they are: a native string's are contiguous. A
    /// bridged one is copied first. `var copy = text; copy.withUTF8 { … }` retains and releases the
    /// string on every call, and walking `utf8` through its iterator costs more than both: the
    /// checks that run for every value of every record (escaping, digests, conditions) read through here.
    @inlinable
    public func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
