import Synchronization

/// Notices a read that stopped making progress (a broker gone mid-read) and runs `onStall` once.
final class Watchdog: Sendable {
    private let lastProgress = Mutex(ContinuousClock.now)
    private let fired = Atomic(false)
    let limit: Duration

    init(limit: Duration) {
        self.limit = limit
    }

    /// Notes progress.
    func touch() {
        lastProgress.withLock { $0 = .now }
    }

    /// True once the read stalled.
    var hasFired: Bool { fired.load(ordering: .acquiring) }

    /// Checks every quarter of the limit until cancelled; on a stall runs `onStall` and returns.
    func watch(onStall: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: limit / 4)
            let idle = ContinuousClock.now - lastProgress.withLock { $0 }
            if idle > limit, !Task.isCancelled {
                fired.store(true, ordering: .releasing)
                await onStall()
                return
            }
        }
    }
}
