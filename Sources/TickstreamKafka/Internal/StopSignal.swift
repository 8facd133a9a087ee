import Synchronization

/// A one-way flag that asks a poll loop to end.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    var isStopped: Bool { flag.load(ordering: .acquiring) }

    /// Sets the flag; returns `true` for the first caller only.
    @discardableResult
    func stop() -> Bool {
        !flag.exchange(true, ordering: .acquiringAndReleasing)
    }
}
