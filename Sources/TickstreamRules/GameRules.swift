/// What a studio implements to put its game on Tickstream: a deterministic function from
/// (previous state, the tick's inputs in log order, tick number) to the next state.
///
/// Rules are synchronous and pure: no I/O, no clock, no randomness but `TickContext.random`, integer
/// or fixed-point arithmetic in state, and no iteration over a `Dictionary` or `Set` where the order
/// reaches the state. Replay depends on it: the same inputs must give the same state hash.
public protocol GameRules: Sendable {
    /// Recorded in checkpoints; a checkpoint of other rules is not restored.
    var name: String { get }
    /// Recorded in checkpoints; bump it when the same inputs would give a different state.
    var version: UInt32 { get }
    /// The entity kinds and fields, for the snapshot codec.
    var schema: EntitySchema { get }
    /// Ticks per second of a room.
    var tickRate: Int { get }
    /// The most players a room admits.
    var maxPlayers: Int { get }

    /// Sets up a new room, before its first player joins.
    func startRoom(_ room: inout RoomState, context: inout TickContext)

    /// Admits `player` into the room or refuses with a reason.
    func join(_ player: PlayerID, room: inout RoomState, context: inout TickContext) -> JoinDecision

    /// Removes `player`, who left or was dropped.
    func leave(_ player: PlayerID, reason: LeaveReason, room: inout RoomState, context: inout TickContext)

    /// Advances the room by one tick, applying `inputs` (every input since the last tick, in log order).
    func tick(_ room: inout RoomState, inputs: [PlayerInput], context: inout TickContext)

    /// Called once when the room closes.
    func endRoom(_ room: inout RoomState, context: inout TickContext)

    /// Why `payload` is not a valid input of this game, or nil if it is.
    ///
    /// The gateway refuses invalid inputs before they reach the log; the worker sends any that do to the dead letters.
    func rejectionReason(forInput payload: [UInt8]) -> String?
}

extension GameRules {
    public var tickRate: Int { 30 }
    public func startRoom(_ room: inout RoomState, context: inout TickContext) {}
    public func endRoom(_ room: inout RoomState, context: inout TickContext) {}
    public func rejectionReason(forInput payload: [UInt8]) -> String? { nil }
}

/// The rules' answer to a join.
public enum JoinDecision: Sendable, Hashable {
    /// The player is in; `entity` is the entity that represents it, if any.
    case admit(entity: EntityID?)
    /// The player is refused; the reason reaches the client.
    case reject(reason: String)
}

/// Why a player leaves a room.
public enum LeaveReason: Sendable, Hashable {
    /// The player asked to leave.
    case left
    /// The connection was lost or closed by the server.
    case dropped
}

/// One input of one player, as the rules see it.
public struct PlayerInput: Sendable, Hashable {
    public var player: PlayerID
    /// The player's entity, if the rules gave it one.
    public var entity: EntityID?
    /// The client's sequence number, increasing per player.
    public var sequence: UInt64
    /// The game's own encoding of the input.
    public var payload: [UInt8]

    public init(player: PlayerID, entity: EntityID?, sequence: UInt64, payload: [UInt8]) {
        self.player = player
        self.entity = entity
        self.sequence = sequence
        self.payload = payload
    }
}

/// What a rules call may know besides the state: which room, which tick, and its seeded randomness.
public struct TickContext: Sendable {
    public let room: String
    /// The tick being computed (the state's tick after this call).
    public let tick: UInt64
    /// Seeded from room and tick: the same in every run.
    public var random: DeterministicRandom

    public init(room: String, tick: UInt64) {
        self.room = room
        self.tick = tick
        self.random = DeterministicRandom(room: room, tick: tick)
    }
}
