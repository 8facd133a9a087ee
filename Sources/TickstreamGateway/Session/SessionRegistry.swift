import NIOWebSocket
import Synchronization

/// The open connections: enforces the connection limit, and closes every session on shutdown.
final class SessionRegistry: Sendable {
    /// Why a connection was not admitted.
    enum Refusal {
        case full
        case shuttingDown
    }

    private struct State {
        var sessions: [UInt64: Session] = [:]
        var accepting = true
        var emptyWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID: UInt64 = 0
    }

    let maxConnections: Int
    private let state = Mutex(State())

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    var count: Int {
        state.withLock { $0.sessions.count }
    }

    /// Admits `session`, or says why not.
    func register(_ session: Session) -> Refusal? {
        state.withLock { state in
            guard state.accepting else { return .shuttingDown }
            guard state.sessions.count < maxConnections else { return .full }
            state.sessions[session.id] = session
            return nil
        }
    }

    func remove(_ session: Session) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.sessions[session.id] = nil
            guard state.sessions.isEmpty else { return [] }
            defer { state.emptyWaiters = [:] }
            return Array(state.emptyWaiters.values)
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Stops admitting sessions and closes every open one with `code`.
    func closeAll(_ code: WebSocketErrorCode, reason: String) {
        let sessions = state.withLock { state in
            state.accepting = false
            return Array(state.sessions.values)
        }
        for session in sessions {
            session.close(code, reason: reason)
        }
    }

    /// Returns once no session is left, or when the task is cancelled.
    func waitUntilEmpty() async {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state in
                    if state.sessions.isEmpty || Task.isCancelled { return true }
                    state.emptyWaiters[id] = continuation
                    return false
                }
                if done {
                    continuation.resume()
                }
            }
        } onCancel: {
            state.withLock { $0.emptyWaiters.removeValue(forKey: id) }?.resume()
        }
    }
}
