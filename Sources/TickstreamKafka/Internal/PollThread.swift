#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRdKafka
import Synchronization

/// A dedicated OS thread for a client's blocking poll loop, so that librdkafka never blocks Swift's
/// cooperative pool (two threads on a two-core machine).
final class PollThread: Sendable {
    private let state = Mutex<State>(State())

    private struct State: ~Copyable {
        var finished = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }

    /// Starts `body` on a new thread named `name` (at most 15 bytes on Linux), so that `top -H` and profilers tell
    /// the poll threads from Swift's pool, which they would otherwise be named after.
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let run: @Sendable () -> Void = { [self] in
            #if canImport(Darwin)
            pthread_setname_np(name)
            #else
            tickstream_name_current_thread(String(name.utf8.prefix(15))!)
            #endif
            body()
            let waiters = state.withLock { state in
                state.finished = true
                return state.waiters
            }
            for waiter in waiters.values { waiter.resume(returning: true) }
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
        _ = await waitForFinish()
    }

    /// Waits for the thread's body to return, at most `timeout`.
    /// - Returns: false if it was still running when the time was up.
    func join(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForFinish() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// True once the body returned; false if the waiting task was cancelled first.
    private func waitForFinish() async -> Bool {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow: Bool? = state.withLock { state in
                    if state.finished { return true }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
        }
    }

    private final class Box: Sendable {
        let value: @Sendable () -> Void
        init(_ value: @escaping @Sendable () -> Void) { self.value = value }
    }
}
