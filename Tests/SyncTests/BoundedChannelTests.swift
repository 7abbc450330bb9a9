import Testing

@testable import Sync

struct BoundedChannelTests {
    @Test func everythingSentArrivesInOrderThenNil() async throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        let producer = Task {
            for value in 0..<100 { try await channel.send(value) }
            channel.finish()
        }
        var received: [Int] = []
        while let value = await channel.receive() { received.append(value) }
        try await producer.value
        #expect(received == Array(0..<100))
    }

    @Test func theProducerStopsAtTheCapacityUntilTheConsumerTakes() async throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        let sent = SentCount()
        let producer = Task {
            for value in 0..<5 {
                try await channel.send(value)
                await sent.add()
            }
            channel.finish()
        }
        // Whatever the scheduling, a full channel holds the third send until a receive.
        try await Task.sleep(for: .milliseconds(50))
        #expect(await sent.value <= 2)
        var received: [Int] = []
        while let value = await channel.receive() { received.append(value) }
        try await producer.value
        #expect(received == [0, 1, 2, 3, 4])
        #expect(await sent.value == 5)
    }

    @Test func closingMakesTheProducerStop() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        let producer = Task { () -> Bool in
            do {
                for value in 0..<1000 { try await channel.send(value) }
                return false
            } catch is BoundedChannel<Int>.Closed {
                return true
            }
        }
        #expect(await channel.receive() == 0)
        channel.close()
        #expect(try await producer.value)
        #expect(await channel.receive() == nil)
    }
}

private actor SentCount {
    private(set) var value = 0
    func add() { value += 1 }
}
