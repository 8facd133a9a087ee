/// The send times of a player's inputs that no snapshot has yet shown applied, oldest first.
///
/// Sequence numbers increase, so a snapshot whose last applied sequence is `s` settles every pending input up to
/// `s` at once. The list is bounded: past `capacity` the oldest input is forgotten and counted as untracked.
package struct InputLatencyTracker: Sendable {
    private struct Pending: Sendable {
        var sequence: UInt64
        var sentAt: ContinuousClock.Instant
    }

    package let capacity: Int
    private var pending: [Pending] = []
    /// Inputs forgotten because the list was full.
    package private(set) var untracked = 0

    package init(capacity: Int = 256) {
        precondition(capacity > 0)
        self.capacity = capacity
        pending.reserveCapacity(min(capacity, 16))
    }

    /// Inputs sent and not yet seen applied.
    package var count: Int { pending.count }

    package mutating func sent(_ sequence: UInt64, at instant: ContinuousClock.Instant) {
        if pending.count == capacity {
            pending.removeFirst()
            untracked += 1
        }
        pending.append(Pending(sequence: sequence, sentAt: instant))
    }

    /// Settles every pending input up to `sequence`, calling `record` with each one's send time and latency.
    package mutating func applied(
        upTo sequence: UInt64,
        at now: ContinuousClock.Instant,
        _ record: (_ sentAt: ContinuousClock.Instant, _ latency: Duration) -> Void
    ) {
        var settled = 0
        for input in pending {
            guard input.sequence <= sequence else { break }
            record(input.sentAt, input.sentAt.duration(to: now))
            settled += 1
        }
        if settled > 0 {
            pending.removeFirst(settled)
        }
    }

    /// Forgets every pending input (the connection ended); returns how many there were.
    @discardableResult
    package mutating func reset() -> Int {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending.count
    }
}
