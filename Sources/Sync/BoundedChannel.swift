import Foundation

/// A first-in first-out hand-off between one producing task and one consuming task, holding at most
/// `capacity` elements: the producer waits when it is that far ahead, so reading a 500k-record
/// export on one core while planning on the other never holds more than a few batches in memory.
final class BoundedChannel<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let capacity: Int
    private var buffer: [Element] = []
    private var head = 0
    private var finished = false
    private var closed = false
    private var waitingProducer: CheckedContinuation<Void, Never>?
    private var waitingConsumer: CheckedContinuation<Element?, Never>?

    struct Closed: Error {}

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Hands `element` over, waiting while the channel is full. Throws `Closed` once the consumer
    /// has given up: the producer should stop.
    func send(_ element: Element) async throws {
        while true {
            let outcome: SendOutcome = lock.withLock {
                if closed { return .closed }
                if let consumer = waitingConsumer {
                    waitingConsumer = nil
                    return .handedTo(consumer)
                }
                if buffer.count - head < capacity {
                    buffer.append(element)
                    return .queued
                }
                return .full
            }
            switch outcome {
            case .closed: throw Closed()
            case .queued: return
            case .handedTo(let consumer):
                consumer.resume(returning: element)
                return
            case .full:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow: Bool = lock.withLock {
                        if closed || buffer.count - head < capacity { return true }
                        waitingProducer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// The next element, or nil once the producer has finished and everything was received.
    func receive() async -> Element? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
            let (ready, producer): (Element??, CheckedContinuation<Void, Never>?) = lock.withLock {
                if head < buffer.count {
                    let element = buffer[head]
                    head += 1
                    if head > 64, head * 2 > buffer.count {
                        buffer.removeFirst(head)
                        head = 0
                    }
                    let producer = waitingProducer
                    waitingProducer = nil
                    return (.some(element), producer)
                }
                if finished || closed { return (.some(nil), nil) }
                waitingConsumer = continuation
                return (nil, nil)
            }
            producer?.resume()
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The producer has sent everything.
    func finish() {
        let consumer: CheckedContinuation<Element?, Never>? = lock.withLock {
            finished = true
            defer { waitingConsumer = nil }
            return head < buffer.count ? nil : waitingConsumer
        }
        consumer?.resume(returning: nil)
    }

    /// The consumer stops: a waiting or later `send` throws, and what is queued is dropped.
    func close() {
        let (producer, consumer): (CheckedContinuation<Void, Never>?, CheckedContinuation<Element?, Never>?) = lock.withLock {
            closed = true
            buffer.removeAll()
            head = 0
            defer {
                waitingProducer = nil
                waitingConsumer = nil
            }
            return (waitingProducer, waitingConsumer)
        }
        producer?.resume()
        consumer?.resume(returning: nil)
    }

    private enum SendOutcome {
        case closed, queued, full
        case handedTo(CheckedContinuation<Element?, Never>)
    }
}
