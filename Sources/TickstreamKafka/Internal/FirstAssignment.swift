import Synchronization

/// Whether a cooperative group consumer may be destroyed yet.
///
/// librdkafka before 2.3.0 aborts when it destroys a consumer with a cooperative assignor between the group's first
/// JoinGroup answer and the first assignment (the assignor's state is still null: librdkafka#4312). Debian's
/// 2.0.2 has the flaw, so such a consumer's close first serves the rebalance until its first assignment.
final class FirstAssignment: Sendable {
    private let guarded: Bool
    private let subscribed = Atomic<Bool>(false)
    private let assigned = Atomic<Bool>(false)

    init(cooperative: Bool) {
        guarded = cooperative && KafkaLibrary.versionNumber < KafkaLibrary.cooperativeCloseFixed
    }

    /// The consumer has asked to join its group.
    func subscribe() { subscribed.store(true, ordering: .releasing) }

    /// The group assigned the consumer partitions (possibly none).
    func assign() { assigned.store(true, ordering: .releasing) }

    /// True while destroying the consumer could abort the process.
    var isAwaited: Bool {
        guarded && subscribed.load(ordering: .acquiring) && !assigned.load(ordering: .acquiring)
    }
}
