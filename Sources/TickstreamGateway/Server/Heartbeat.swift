import NIOCore
import NIOWebSocket
import Synchronization

/// When a connection was last pinged and last heard from, to tell a client that is gone from one that is quiet.
///
/// The connection's watchdog asks for a ping when the client sent nothing for the heartbeat interval, and closes the
/// connection when it then sends nothing, not even the pong, for another interval. swift-websocket's own auto-ping
/// does the same with a task per connection; this takes a timer the connection already has and a pipeline handler.
///
/// While the server itself holds the connection's reads (its ``MessageReader`` waits for Kafka with a full queue),
/// nothing the client sends can be heard, and a client must not be closed for the server's own backpressure: the
/// heartbeat is on hold, and starts a fresh interval when reading resumes.
final class Heartbeat: Sendable {
    /// What the watchdog should do at a round.
    enum Action: Equatable {
        case none
        case ping
        /// The last ping went a whole interval without an answer.
        case timedOut
    }

    private struct State {
        var lastHeard: ContinuousClock.Instant
        var lastPing: ContinuousClock.Instant?
        var timedOut = false
        var onHold = false
    }

    let interval: Duration
    private let state: Mutex<State>

    init(interval: Duration, now: ContinuousClock.Instant = .now) {
        self.interval = interval
        self.state = Mutex(State(lastHeard: now))
    }

    /// The client sent a frame.
    func heard(at now: ContinuousClock.Instant = .now) {
        state.withLock { $0.lastHeard = now }
    }

    /// The server stops reading the client's frames: nothing can be heard until ``resumeAfterHold(at:)``.
    func hold() {
        state.withLock { $0.onHold = true }
    }

    /// The server reads the client's frames again: an interval starts afresh, as if the client had just been heard.
    func resumeAfterHold(at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.onHold = false
            state.lastHeard = now
            state.lastPing = nil
        }
    }

    /// Whether to ping at `now`: when nothing was heard for an interval. Times out, once, when a ping went an
    /// interval without the client sending anything. Neither while on hold.
    func due(at now: ContinuousClock.Instant = .now) -> Action {
        state.withLock { state in
            guard !state.timedOut, !state.onHold else { return .none }
            if let lastPing = state.lastPing {
                if state.lastHeard >= lastPing {
                    state.lastPing = nil
                } else {
                    state.timedOut = lastPing.duration(to: now) >= interval
                    return state.timedOut ? .timedOut : .none
                }
            }
            guard state.lastHeard.duration(to: now) >= interval else { return .none }
            state.lastPing = now
            return .ping
        }
    }
}

/// Tells the connection's ``Heartbeat`` of every frame the client sends, pongs included (which the WebSocket
/// library consumes before the connection's reader sees anything), and passes the frame on.
final class HeartbeatHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    private let heartbeat: Heartbeat

    init(heartbeat: Heartbeat) {
        self.heartbeat = heartbeat
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heartbeat.heard()
        context.fireChannelRead(data)
    }
}
