#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A dedicated OS thread for a client's blocking poll loop, so that librdkafka never blocks Swift's
/// cooperative pool (two threads on a two-core machine).
final class PollThread: Sendable {
    private let state = Mutex<State>(State())

    private struct State: ~Copyable {
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Starts `body` on a new thread.
    init(_ body: @escaping @Sendable () -> Void) {
        let run: @Sendable () -> Void = { [self] in
            body()
            let waiters = state.withLock { state in
                state.finished = true
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        let box = Unmanaged.passRetained(Box(run))
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let rc = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.value()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "pthread_create failed: \(rc)")
        #if canImport(Darwin)
        pthread_detach(thread!)
        #else
        pthread_detach(thread)
        #endif
    }

    /// Returns once the thread's body has returned.
    func join() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if finished { continuation.resume() }
        }
    }

    private final class Box: Sendable {
        let value: @Sendable () -> Void
        init(_ value: @escaping @Sendable () -> Void) { self.value = value }
    }
}
