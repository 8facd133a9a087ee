/// Just the records of a ``KafkaConsumer``: revocations are acknowledged at once and errors are skipped
/// (the consumer logs them).
///
/// For owners with nothing to finish before a partition moves; a worker that checkpoints reads
/// ``KafkaConsumer/events`` instead.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = ConsumerRecord

    let events: KafkaConsumerEvents

    public struct AsyncIterator: AsyncIteratorProtocol {
        var events: KafkaConsumerEvents.AsyncIterator

        public mutating func next() async -> ConsumerRecord? {
            while let event = await events.next() {
                switch event {
                case .message(let record): return record
                case .revoked(_, let acknowledgement): acknowledgement?.acknowledge()
                case .assigned, .error: continue
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(events: events.makeAsyncIterator()) }
}
