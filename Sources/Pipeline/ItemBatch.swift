import Importers

/// The items of one batch, read and not yet mapped. The slice that maps an item takes it out
/// (`take`), so a record is freed as soon as it is mapped, on the thread that mapped it. An array
/// kept every record of a batch until the whole batch was mapped and the read task that returned
/// it was released: a megabyte a chunk, beside the chunk's mapped records, for every chunk in flight.
///
/// Unchecked `Sendable`: one task fills it (the cursor); then the slices of one chunk read and take
/// its items, each item by one slice only (the ranges of `RecordStream.inSlices` do not overlap),
/// and the batch is not touched again until they are all done.
final class ItemBatch: @unchecked Sendable {
    private var base: UnsafeMutablePointer<ImportItem?>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    func append(_ item: consuming ImportItem) {
        if count == capacity {
            let grown = UnsafeMutablePointer<ImportItem?>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: item)
        count += 1
    }

    /// `body` with item `index` where it is, not copied out; nil once taken.
    func withItem<Result>(_ index: Int, _ body: (borrowing ImportItem?) -> Result) -> Result {
        precondition(index >= 0 && index < count, "item out of range")
        return body(base[index])
    }

    /// Item `index`, moved out. Each item is taken once: a second take is a bug of the caller's.
    func take(_ index: Int) -> ImportItem {
        precondition(index >= 0 && index < count, "item out of range")
        guard let item = base[index].take() else { preconditionFailure("item \(index) was taken twice") }
        return item
    }
}
