import Dispatch
import Synchronization

/// Lets the owner of revoked partitions say it has finished with them (see ``KafkaConsumerEvent/revoked(_:_:)``).
///
/// The consumer's poll thread waits on it inside librdkafka's rebalance callback, so the partitions stay
/// assigned, and no other member can take them, until the owner acknowledges.
public final class RevocationAcknowledgement: Sendable {
    private let acknowledged = Atomic<Bool>(false)
    private let semaphore = DispatchSemaphore(value: 0)

    init() {}

    /// Releases the partitions. Calling it again does nothing.
    public func acknowledge() {
        if !acknowledged.exchange(true, ordering: .acquiringAndReleasing) { semaphore.signal() }
    }

    /// Blocks the calling thread until ``acknowledge()`` or `timeout`; returns whether it was acknowledged.
    func wait(timeout: Duration) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds))) == .success
    }
}
