public import TickstreamRules

/// Runs one room: queues the commands that arrive between ticks and applies them, in log order, at the next tick.
///
/// Deterministic: the same commands cut into the same ticks give the same states, in any process.
/// The worker drives it live; replay drives it from the recorded tick boundaries.
public struct RoomEngine: Sendable {
    public let room: String
    public let rules: any GameRules
    public private(set) var state: RoomState
    /// Ticks in a row the room has had no players.
    public private(set) var idleTicks: UInt64
    /// Ticks without players after which the room closes.
    public let idleTimeoutTicks: UInt64
    /// The log offset of the last command applied; -1 before any.
    public private(set) var inputWatermark: Int64

    private var queue: [(offset: Int64, command: RoomCommand)] = []

    /// The most commands queued between two ticks; more are refused so that a flood cannot exhaust memory.
    public static let maxQueuedCommands = 10_000

    /// A new room, as its first join arrives.
    public init(room: String, rules: any GameRules, idleTimeoutTicks: UInt64) {
        self.room = room
        self.rules = rules
        self.idleTimeoutTicks = idleTimeoutTicks
        self.idleTicks = 0
        self.inputWatermark = -1
        var state = RoomState()
        var context = TickContext(room: room, tick: 0)
        rules.startRoom(&state, context: &context)
        self.state = state
    }

    /// A room restored from a checkpoint.
    public init(room: String, rules: any GameRules, state: RoomState, idleTicks: UInt64, idleTimeoutTicks: UInt64, inputWatermark: Int64) {
        self.room = room
        self.rules = rules
        self.state = state
        self.idleTicks = idleTicks
        self.idleTimeoutTicks = idleTimeoutTicks
        self.inputWatermark = inputWatermark
    }

    /// The commands waiting for the next tick.
    public var queuedCount: Int { queue.count }

    /// Queues `command`, read at `offset` of the room's input partition.
    /// - Returns: false if the queue is full; the command is not queued.
    public mutating func enqueue(_ command: RoomCommand, offset: Int64) -> Bool {
        guard queue.count < Self.maxQueuedCommands else { return false }
        queue.append((offset, command))
        return true
    }

    /// Applies the queued commands and advances the room by one tick.
    /// - Parameter watermark: apply only commands at or below this offset (replaying a recorded tick);
    ///   nil applies every queued command (live).
    public mutating func tick(through watermark: Int64? = nil) -> TickOutcome {
        var context = TickContext(room: room, tick: state.tick + 1)
        var outcome = TickOutcome()
        var inputs: [PlayerInput] = []
        let due = watermark.map { limit in queue.prefix { $0.offset <= limit }.count } ?? queue.count
        for (offset, command) in queue[..<due] {
            inputWatermark = offset
            switch command {
            case .join(let player):
                applyJoin(player, context: &context, outcome: &outcome)
            case .leave(let player, let dropped):
                guard state.player(player) != nil else {
                    outcome.rejected.append(RejectedCommand(offset: offset, reason: "leave of \(player), who is not in room \(room)"))
                    continue
                }
                rules.leave(player, reason: dropped ? .dropped : .left, room: &state, context: &context)
                state.removePlayer(player)
                outcome.events.append(.left(player, dropped: dropped))
            case .input(let player, let sequence, let payload):
                // One search for the player serves both the checks and the update: an input per player per tick
                // makes this the hottest lookup of a tick.
                guard let index = state.playerIndex(player) else {
                    outcome.rejected.append(RejectedCommand(offset: offset, reason: "input of \(player), who is not in room \(room)"))
                    continue
                }
                let lastApplied = state.players[index].lastAppliedSequence
                guard sequence > lastApplied else {
                    outcome.rejected.append(RejectedCommand(offset: offset, reason: "input sequence \(sequence) of \(player) does not increase (last \(lastApplied))"))
                    continue
                }
                if let reason = rules.rejectionReason(forInput: payload) {
                    outcome.rejected.append(RejectedCommand(offset: offset, reason: "input of \(player): \(reason)"))
                    continue
                }
                state.players[index].lastAppliedSequence = sequence
                inputs.append(PlayerInput(player: player, entity: state.players[index].entity, sequence: sequence, payload: payload))
            case .relay(let from, let to, let kind, let payload):
                guard state.player(from) != nil, state.player(to) != nil else {
                    outcome.rejected.append(RejectedCommand(offset: offset, reason: "relay from \(from) to \(to): both must be in room \(room)"))
                    continue
                }
                outcome.events.append(.relay(from: from, to: to, kind: kind, payload: payload))
            }
        }
        queue.removeFirst(due)

        rules.tick(&state, inputs: inputs, context: &context)
        state.tick = context.tick
        idleTicks = state.players.isEmpty ? idleTicks + 1 : 0
        if idleTicks >= idleTimeoutTicks {
            rules.endRoom(&state, context: &context)
            outcome.closed = true
        }
        return outcome
    }

    private mutating func applyJoin(_ player: PlayerID, context: inout TickContext, outcome: inout TickOutcome) {
        if let present = state.player(player) {
            // A rejoin (a reconnect that raced its own drop): the player keeps its entity.
            outcome.events.append(.joined(player, entity: present.entity))
            return
        }
        switch rules.join(player, room: &state, context: &context) {
        case .admit(let entity):
            state.upsertPlayer(RoomPlayer(id: player, entity: entity))
            outcome.events.append(.joined(player, entity: entity))
        case .reject(let reason):
            outcome.events.append(.joinRejected(player, reason: reason))
        }
    }
}

/// What one tick produced besides the new state.
public struct TickOutcome: Sendable, Hashable {
    public var events: [TickEvent] = []
    public var rejected: [RejectedCommand] = []
    /// The room closed after this tick: idle for `idleTimeoutTicks`.
    public var closed = false
}
