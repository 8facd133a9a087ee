import NIOWebSocket
import TickstreamProtocol
import TickstreamRules

/// The protocol rules of one connection: what each client message means in the connection's state.
///
/// Pure: it performs no I/O and reads no clock; its owner feeds it messages and the time, and performs the
/// returned actions. The player id comes from here (from the connection), never from a client message.
struct SessionStateMachine {
    enum State: Equatable {
        /// Connected, in no room.
        case connected
        /// In `room`: its join is on its way to the log. `lastSequence` is the newest input accepted.
        case joined(room: String, lastSequence: UInt64)
        /// The connection is closing: every further message is ignored. `room` is the room it was in, whose
        /// leave is still to be logged.
        case closing(room: String?)
        /// The connection ended.
        case closed
    }

    /// What the owner does next.
    enum Action: Equatable {
        /// Follow the room's state, then log the join.
        case join(room: String, lastAcknowledgedTick: UInt64)
        /// Log `action` for `room`.
        case produce(room: String, action: InputRecord.OneOf_Action)
        /// Log a leave of `room` and stop following it.
        case leave(room: String)
        /// The client has the state of `tick`: the baseline of its next deltas.
        case acknowledge(tick: UInt64)
        /// Send `message` to the client.
        case reply(ServerMessage)
        /// Answer a ping with a pong carrying `nonce` and the server's clock.
        case pong(nonce: UInt64)
        /// Send `message`, if any, then close the connection with `code`.
        case close(WebSocketErrorCode, reason: String, message: ServerMessage?)
        /// Nothing.
        case none
    }

    let player: PlayerID
    private let rules: any GameRules
    private let limits: GatewayLimits
    private(set) var state: State
    private var inputBucket: TokenBucket
    /// Drained by throttled inputs; empty means sustained abuse.
    private var abuseBucket: TokenBucket
    private var malformedCount = 0

    init(player: PlayerID, rules: any GameRules, limits: GatewayLimits, now: ContinuousClock.Instant) {
        self.player = player
        self.rules = rules
        self.limits = limits
        self.state = .connected
        self.inputBucket = TokenBucket(capacity: limits.inputBurst, refillPerSecond: limits.inputsPerSecond, now: now)
        self.abuseBucket = TokenBucket(
            capacity: limits.throttleTolerance,
            refillPerSecond: limits.inputsPerSecond / 10,
            now: now
        )
    }

    /// The room the player is in, if any.
    var room: String? {
        if case .joined(let room, _) = state { room } else { nil }
    }

    /// Whether client messages are still read.
    private var isOpen: Bool {
        switch state {
        case .connected, .joined: true
        case .closing, .closed: false
        }
    }

    /// Stops reading client messages; the room, if any, is remembered for the leave.
    private mutating func startClosing() {
        if isOpen {
            state = .closing(room: room)
        }
    }

    /// A message from the client arrived at `now`.
    mutating func received(_ message: ClientMessage, at now: ContinuousClock.Instant) -> Action {
        guard isOpen else { return .none }
        switch message.message {
        case .join(let join):
            return receivedJoin(join)
        case .input(let input):
            return receivedInput(input, at: now)
        case .relay(let relay):
            return receivedRelay(relay, at: now)
        case .ack(let ack):
            guard room != nil else { return notJoined("ack") }
            return .acknowledge(tick: ack.tick)
        case .ping(let ping):
            return .pong(nonce: ping.nonce)
        case .leave:
            guard let room else { return notJoined("leave") }
            state = .connected
            return .leave(room: room)
        case nil:
            return receivedMalformed("the message is empty")
        }
    }

    /// A message from the client did not decode.
    mutating func receivedMalformed(_ reason: String) -> Action {
        guard isOpen else { return .none }
        malformedCount += 1
        let error = ServerMessage.error(.malformedMessage, reason)
        guard malformedCount < limits.maxMalformedMessages else {
            startClosing()
            return .close(.dataInconsistentWithMessage, reason: "too many malformed messages", message: error)
        }
        return .reply(error)
    }

    /// The join of `room` did not happen (room full, game refused, log unreachable): the player may join again.
    mutating func joinFailed(room failed: String) {
        switch state {
        case .joined(failed, _): state = .connected
        case .closing(failed): state = .closing(room: nil)
        default: break
        }
    }

    /// The server closes the connection (shutdown, a client too slow to read).
    mutating func close() {
        startClosing()
    }

    /// The connection ended; returns the room the player was still in, whose leave is to be logged.
    mutating func connectionEnded() -> String? {
        defer { state = .closed }
        switch state {
        case .joined(let room, _), .closing(let room?): return room
        case .connected, .closing(nil), .closed: return nil
        }
    }

    private mutating func receivedJoin(_ join: ClientMessage.Join) -> Action {
        guard room == nil else {
            return .reply(.error(.alreadyJoined, "already in room \(room ?? "")"))
        }
        guard RoomName.isValid(join.room) else {
            return .reply(.error(.invalidRoom, "a room name is 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' and '-'"))
        }
        state = .joined(room: join.room, lastSequence: 0)
        return .join(room: join.room, lastAcknowledgedTick: join.lastAcknowledgedTick)
    }

    private mutating func receivedInput(_ input: ClientMessage.Input, at now: ContinuousClock.Instant) -> Action {
        guard case .joined(let room, let lastSequence) = state else { return notJoined("input") }
        if let throttled = throttle(at: now, sequence: input.sequence) {
            return throttled
        }
        guard input.sequence > lastSequence else {
            return .reply(
                .error(.invalidInput, "sequence \(input.sequence) does not follow \(lastSequence)", sequence: input.sequence)
            )
        }
        let payload = [UInt8](input.payload)
        if let reason = rules.rejectionReason(forInput: payload) {
            return .reply(.error(.invalidInput, reason, sequence: input.sequence))
        }
        state = .joined(room: room, lastSequence: input.sequence)
        var record = InputRecord.Input()
        record.sequence = input.sequence
        record.payload = input.payload
        return .produce(room: room, action: .input(record))
    }

    private mutating func receivedRelay(_ relay: ClientMessage.Relay, at now: ContinuousClock.Instant) -> Action {
        guard let room else { return notJoined("relay") }
        if let throttled = throttle(at: now, sequence: 0) {
            return throttled
        }
        guard !relay.toPlayer.isEmpty else {
            return .reply(.error(.invalidRelay, "a relay names the player it is for"))
        }
        guard relay.kind.count <= limits.maxRelayKindLength else {
            return .reply(.error(.invalidRelay, "a relay kind is at most \(limits.maxRelayKindLength) characters"))
        }
        guard relay.payload.count <= limits.maxRelayPayload else {
            return .reply(.error(.invalidRelay, "a relay payload is at most \(limits.maxRelayPayload) bytes"))
        }
        var record = InputRecord.Relay()
        record.toPlayer = relay.toPlayer
        record.kind = relay.kind
        record.payload = relay.payload
        return .produce(room: room, action: .relay(record))
    }

    /// The answer to an input or relay over the rate, or nil if it is within the rate.
    private mutating func throttle(at now: ContinuousClock.Instant, sequence: UInt64) -> Action? {
        guard !inputBucket.take(at: now) else { return nil }
        let error = ServerMessage.error(
            .throttled,
            "more than \(Int(limits.inputsPerSecond)) inputs per second",
            sequence: sequence
        )
        guard abuseBucket.take(at: now) else {
            startClosing()
            return .close(.policyViolation, reason: "input flood", message: error)
        }
        return .reply(error)
    }

    private func notJoined(_ what: String) -> Action {
        .reply(.error(.notJoined, "\(what) before joining a room"))
    }
}
