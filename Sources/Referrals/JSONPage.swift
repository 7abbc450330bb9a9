/// Encoded referrals side by side in one block of memory, so that a referral's bytes cost no
/// allocation of their own.
///
/// A stream holds a few thousand encoded referrals at a time, and each was an array of its own: a
/// `malloc` on the mapping thread and a `free` on the consumer's, into the other thread's arena
/// (under its lock). A page holds some thirty of them; it is freed when the last referral in it is.
///
/// Append-only: bytes once handed out as a `JSONSpan` are never written again, and only the thread
/// that appends (one mapper) writes at all. Other threads read spans handed to them after they were
/// written, hence `@unchecked Sendable`.
public final class JSONPage: @unchecked Sendable {
    /// Big enough for about thirty referrals of a usual export, small enough that the unused tail of
    /// each slice's last page costs little.
    public static let standardCapacity = 32 * 1024

    private let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    var room: Int { capacity - count }

    /// Copies `bytes` after what the page holds; the caller checked `room`.
    func append(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONSpan {
        let offset = count
        if let source = bytes.baseAddress, bytes.count > 0 {
            (base + offset).initialize(from: source, count: bytes.count)
        }
        count += bytes.count
        return JSONSpan(page: self, offset: offset, count: bytes.count)
    }

    fileprivate func bytes(at offset: Int, count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + offset, count: count)
    }
}

/// One referral's bytes in a `JSONPage` (which it keeps alive).
public struct JSONSpan: Sendable {
    private let page: JSONPage
    private let offset: Int
    public let count: Int

    fileprivate init(page: JSONPage, offset: Int, count: Int) {
        self.page = page
        self.offset = offset
        self.count = count
    }

    /// Bytes of their own, in a page of their exact size.
    public init(_ bytes: [UInt8]) {
        let page = JSONPage(capacity: max(1, bytes.count))
        self = bytes.withUnsafeBufferPointer { page.append($0) }
    }

    /// Reads the bytes in place.
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(page) { try body(page.bytes(at: offset, count: count)) }
    }

    /// The bytes as an array of their own.
    public var array: [UInt8] { withBytes { Array($0) } }
}

/// Where a mapper puts the referrals it encodes: its current page while there is room, then a new one.
/// One per mapper, used on its thread only.
public struct JSONPageWriter: ~Copyable {
    private var page: JSONPage?

    public init() {}

    /// Copies `bytes` into the current page, or into a new one when they do not fit (a referral
    /// bigger than a standard page gets a page of its exact size).
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONSpan {
        if let page, page.room >= bytes.count { return page.append(bytes) }
        let fresh = JSONPage(capacity: max(JSONPage.standardCapacity, bytes.count))
        page = fresh
        return fresh.append(bytes)
    }
}
