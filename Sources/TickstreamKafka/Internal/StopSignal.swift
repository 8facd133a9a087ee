import Synchronization

/// A one-way flag that asks a poll loop to end, and whether a consumer's loop leaves its group on the way out.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let leaving = Atomic<Bool>(true)

    var isStopped: Bool { flag.load(ordering: .acquiring) }

    /// Whether a consumer's loop closes the consumer (leaves its group) before it ends.
    var leavesGroup: Bool { leaving.load(ordering: .acquiring) }

    /// Sets the flag; returns `true` for the first caller only.
    @discardableResult
    func stop(leavingGroup: Bool = true) -> Bool {
        if !leavingGroup {
            leaving.store(false, ordering: .releasing)
        }
        return !flag.exchange(true, ordering: .acquiringAndReleasing)
    }
}
