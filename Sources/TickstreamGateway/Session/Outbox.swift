import NIOWebSocket
import Synchronization
import TickstreamProtocol

/// The messages waiting for one client, bounded: the broadcaster and the session put messages in without ever
/// waiting, and the connection's writer takes out everything due at once, to send as one batch.
///
/// The writer is a task that awaits ``next()``, or a channel handler that calls ``takeOrArm(_:)`` on its event loop
/// and is woken when there is something to take.
///
/// Of snapshots only the newest waits: a client that falls behind skips to the fresh state (each snapshot is
/// encoded against the client's acknowledged tick, so any one of them applies). Other messages (events, errors,
/// relays) all wait, up to `capacity`; a client that lets more pile up is closed with 1008.
final class Outbox: Sendable {
    /// What the writer sends next: a ping if one is due, the messages due, in order, the snapshot, then a close if
    /// one is due.
    struct Flush: Equatable {
        var ping = false
        var messages: [ServerMessage]
        var snapshot: ClientSnapshot?
        var close: Close?

        /// Whether there is a batch to send.
        var hasBatch: Bool { !messages.isEmpty || snapshot != nil }
    }

    struct Close: Equatable {
        var code: WebSocketErrorCode
        var reason: String
    }

    /// What ``takeOrArm(_:)`` found.
    enum Take: Equatable {
        case flush(Flush)
        /// Nothing is due: the wake-up is armed.
        case armed
        /// The close was taken, or the connection is gone.
        case finished
    }

    /// The writer waiting for something to be due.
    fileprivate enum Waiter {
        case task(CheckedContinuation<Flush?, Never>)
        /// Called once, from whichever thread made something due.
        case wakeUp(@Sendable () -> Void)
    }

    fileprivate struct State {
        var messages: [ServerMessage] = []
        var snapshot: ClientSnapshot?
        var close: Close?
        var pingDue = false
        /// The writer has taken the close, or the connection is gone: `next()` answers nil.
        var finished = false
        var waiter: Waiter?

        var hasWork: Bool { !messages.isEmpty || snapshot != nil || close != nil || pingDue }

        mutating func takeFlush() -> Flush {
            let flush = Flush(ping: pingDue, messages: messages, snapshot: snapshot, close: close)
            pingDue = false
            messages.removeAll(keepingCapacity: true)
            snapshot = nil
            if close != nil {
                finished = true
            }
            return flush
        }
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues `message`; returns false if the outbox overflowed, in which case it closes the connection instead.
    @discardableResult
    func send(_ message: ServerMessage) -> Bool {
        let (accepted, wakeUp) = state.withLock { state -> (Bool, WakeUp?) in
            guard !state.finished, state.close == nil else { return (true, nil) }
            guard state.messages.count < capacity else {
                state.close = Close(code: .policyViolation, reason: "client too slow to read")
                return (false, state.wakeWriter())
            }
            state.messages.append(message)
            return (true, state.wakeWriter())
        }
        wakeUp?.resume()
        return accepted
    }

    /// Queues `snapshot` in place of any snapshot still waiting; returns true if it replaced one.
    @discardableResult
    func sendSnapshot(_ snapshot: ClientSnapshot) -> Bool {
        let (replaced, wakeUp) = state.withLock { state -> (Bool, WakeUp?) in
            guard !state.finished, state.close == nil else { return (false, nil) }
            let replaced = state.snapshot != nil
            state.snapshot = snapshot
            return (replaced, state.wakeWriter())
        }
        wakeUp?.resume()
        return replaced
    }

    /// Asks the writer for a WebSocket ping, which keeps an idle connection open through proxies that close quiet
    /// ones, and gives the kernel unacknowledged data by which to notice a peer that is gone.
    func ping() {
        let wakeUp = state.withLock { state -> WakeUp? in
            guard !state.finished, state.close == nil else { return nil }
            state.pingDue = true
            return state.wakeWriter()
        }
        wakeUp?.resume()
    }

    /// Closes the connection with `code` once the messages already queued are sent; the first close wins.
    func close(_ code: WebSocketErrorCode, reason: String) {
        let wakeUp = state.withLock { state -> WakeUp? in
            guard !state.finished, state.close == nil else { return nil }
            state.close = Close(code: code, reason: reason)
            return state.wakeWriter()
        }
        wakeUp?.resume()
    }

    /// The connection is gone: drops what waits and ends the writer.
    func finish() {
        let waiter = state.withLock { state -> Waiter? in
            state.finished = true
            state.messages = []
            state.snapshot = nil
            defer { state.waiter = nil }
            return state.waiter
        }
        switch waiter {
        case .task(let continuation):
            continuation.resume(returning: nil)
        case .wakeUp(let wakeUp):
            wakeUp()
        case nil:
            break
        }
    }

    /// Takes everything due; when nothing is, arms `wakeUp` to be called once something is (or the outbox finishes),
    /// for a writer that cannot wait on a task: a channel handler, which then takes again on its event loop.
    func takeOrArm(_ wakeUp: @escaping @Sendable () -> Void) -> Take {
        state.withLock { state in
            if state.finished { return .finished }
            if state.hasWork { return .flush(state.takeFlush()) }
            state.waiter = .wakeUp(wakeUp)
            return .armed
        }
    }

    /// Waits until something is due and takes all of it; nil once the close was taken or the connection is gone.
    func next() async -> Flush? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Flush?, Never>) in
                let ready = state.withLock { state -> Flush?? in
                    if state.finished || Task.isCancelled { return .some(nil) }
                    if state.hasWork { return .some(state.takeFlush()) }
                    precondition(state.waiter == nil, "one writer per outbox")
                    state.waiter = .task(continuation)
                    return .none
                }
                if let ready {
                    continuation.resume(returning: ready)
                }
            }
        } onCancel: {
            finish()
        }
    }
}

extension Outbox {
    /// A waiting writer and, for a task, what to hand it: taken under the lock and resumed outside it.
    fileprivate enum WakeUp {
        case task(CheckedContinuation<Flush?, Never>, Flush)
        case handler(@Sendable () -> Void)

        func resume() {
            switch self {
            case .task(let writer, let flush):
                writer.resume(returning: flush)
            case .handler(let wakeUp):
                wakeUp()
            }
        }
    }
}

extension Outbox.State {
    /// Wakes the waiting writer, if one waits: a task with everything due, a handler to come and take it.
    fileprivate mutating func wakeWriter() -> Outbox.WakeUp? {
        guard let writer = waiter else { return nil }
        waiter = nil
        switch writer {
        case .task(let continuation):
            return .task(continuation, takeFlush())
        case .wakeUp(let wakeUp):
            return .handler(wakeUp)
        }
    }
}
