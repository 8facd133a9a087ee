/// Fire-and-forget records the cluster did not acknowledge, newest kept when the owner falls behind.
///
/// The buffer is bounded (``KafkaProducerConfiguration/deliveryFailureBufferSize``); every failure is also
/// counted in ``KafkaProducer/deliveryFailureCount`` and logged, so none goes unnoticed. The sequence ends when
/// the producer shuts down.
public struct KafkaDeliveryFailures: AsyncSequence, Sendable {
    public typealias Element = DeliveryFailure

    let stream: AsyncStream<DeliveryFailure>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<DeliveryFailure>.AsyncIterator

        public mutating func next() async -> DeliveryFailure? { await base.next() }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> DeliveryFailure? {
            await base.next(isolation: actor)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator()) }
}
