import NIOWebSocket
import TickstreamAccess
import TickstreamProtocol
import TickstreamRules

/// The protocol rules of one connection: what each client message means in the connection's state.
///
/// Pure: it performs no I/O and reads no clock; its owner feeds it messages and the time, and performs the
/// returned actions. The player id and what it may do come from here (from the connection's token), never from a
/// client message.
struct SessionStateMachine {
    /// The room a connection is in, and whether it only watches it (a spectator has no join or leave in the log).
    struct Membership: Hashable {
        var room: String
        var spectating = false
    }

    enum State: Equatable {
        /// Connected, in no room.
        case connected
        /// In `room`: its join is on its way to the log. `lastSequence` is the newest input accepted.
        case joined(room: String, lastSequence: UInt64)
        /// Watching `room`: snapshots and events, no inputs or relays.
        case watching(room: String)
        /// The connection is closing: every further message is ignored. `membership` is the room it was in, still
        /// to be left.
        case closing(Membership?)
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
        /// Follow the room's state as a spectator: nothing goes to the log.
        case watch(room: String, lastAcknowledgedTick: UInt64)
        /// Stop watching `room`.
        case unwatch(room: String)
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

    let identity: SessionIdentity
    private let rules: any GameRules
    private let limits: GatewayLimits
    private(set) var state: State
    private var inputBucket: TokenBucket
    /// Drained by throttled inputs; empty means sustained abuse.
    private var abuseBucket: TokenBucket
    private var malformedCount = 0

    init(identity: SessionIdentity, rules: any GameRules, limits: GatewayLimits, now: ContinuousClock.Instant) {
        self.identity = identity
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

    var player: PlayerID { identity.player }

    /// The room the connection is in, playing or watching, if any.
    var room: String? {
        membership?.room
    }

    private var membership: Membership? {
        switch state {
        case .joined(let room, _): Membership(room: room)
        case .watching(let room): Membership(room: room, spectating: true)
        case .connected, .closing, .closed: nil
        }
    }

    /// Whether client messages are still read.
    private var isOpen: Bool {
        switch state {
        case .connected, .joined, .watching: true
        case .closing, .closed: false
        }
    }

    /// Stops reading client messages; the room, if any, is remembered for the leave.
    private mutating func startClosing() {
        if isOpen {
            state = .closing(membership)
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
            guard let membership else { return notJoined("leave") }
            state = .connected
            return membership.spectating ? .unwatch(room: membership.room) : .leave(room: membership.room)
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
        case .joined(failed, _), .watching(failed): state = .connected
        case .closing(let membership?) where membership.room == failed: state = .closing(nil)
        default: break
        }
    }

    /// The server closes the connection (shutdown, a client too slow to read).
    mutating func close() {
        startClosing()
    }

    /// The connection ended; returns the room it was still in, to leave (and, for a player, to log the leave of).
    mutating func connectionEnded() -> Membership? {
        defer { state = .closed }
        if case .closing(let membership) = state {
            return membership
        }
        return membership
    }

    private mutating func receivedJoin(_ join: ClientMessage.Join) -> Action {
        guard room == nil else {
            return .reply(.error(.alreadyJoined, "already in room \(room ?? "")"))
        }
        guard NameRule.room.isValid(join.room) else {
            return .reply(.error(.invalidRoom, "a room name is 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' and '-'"))
        }
        guard identity.allows(join.room) else {
            return .reply(.error(.forbidden, "the token does not allow room \(join.room)"))
        }
        if join.spectate || identity.role == .spectator {
            state = .watching(room: join.room)
            return .watch(room: join.room, lastAcknowledgedTick: join.lastAcknowledgedTick)
        }
        state = .joined(room: join.room, lastSequence: 0)
        return .join(room: join.room, lastAcknowledgedTick: join.lastAcknowledgedTick)
    }

    private mutating func receivedInput(_ input: ClientMessage.Input, at now: ContinuousClock.Instant) -> Action {
        if case .watching = state {
            return .reply(.error(.forbidden, "a spectator sends no inputs", sequence: input.sequence))
        }
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
        if case .watching = state {
            return .reply(.error(.forbidden, "a spectator sends no relays"))
        }
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
