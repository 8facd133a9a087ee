/// The events of a ``KafkaConsumer``: a bounded buffer with one reader at a time.
///
/// When the reader falls behind and the buffer is full, the consumer stops fetching until it catches up.
/// The sequence ends when the consumer closes, or for a reader whose task is cancelled.
public struct KafkaConsumerEvents: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerEvent

    let buffer: BlockingEventBuffer<KafkaConsumerEvent>

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: BlockingEventBuffer<KafkaConsumerEvent>

        public mutating func next() async -> KafkaConsumerEvent? { await buffer.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
