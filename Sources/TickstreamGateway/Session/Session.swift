import NIOWebSocket
import Synchronization
import TickstreamRules

/// One client connection as the broadcaster and the registry see it: who it is, where its messages go, and the
/// newest tick it acknowledged.
final class Session: Sendable {
    /// Unique within this process.
    let id: UInt64
    let player: PlayerID
    let format: WireFormat
    let outbox: Outbox
    private let machine: Mutex<SessionStateMachine>
    private let acknowledged = Atomic<UInt64>(0)

    private static let nextID = Atomic<UInt64>(1)

    init(player: PlayerID, format: WireFormat, machine: SessionStateMachine, outboxCapacity: Int) {
        self.id = Self.nextID.add(1, ordering: .relaxed).oldValue
        self.player = player
        self.format = format
        self.outbox = Outbox(capacity: outboxCapacity)
        self.machine = Mutex(machine)
    }

    /// The newest tick the client has applied: the baseline of its next delta; 0 for none.
    var acknowledgedTick: UInt64 {
        acknowledged.load(ordering: .relaxed)
    }

    func acknowledge(_ tick: UInt64) {
        acknowledged.store(tick, ordering: .relaxed)
    }

    /// The server closes the connection: the state machine takes no more client messages, and the outbox closes with
    /// `code` once what is queued is sent.
    func close(_ code: WebSocketErrorCode, reason: String) {
        withStateMachine { $0.close() }
        outbox.close(code, reason: reason)
    }

    /// Runs `body` on the session's state machine, under its lock.
    func withStateMachine<Result>(_ body: (inout SessionStateMachine) -> Result) -> Result {
        machine.withLock { body(&$0) }
    }
}
