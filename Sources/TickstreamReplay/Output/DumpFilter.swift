/// Which records `tickstream replay dump` prints.
public struct DumpFilter: Sendable, Hashable {
    /// Only this room's records; nil: every room.
    public var room: String?
    /// Only this player's inputs, and states in which the player is in the room.
    public var player: String?
    /// Only states of these ticks, and inputs applied at them.
    public var ticks: ClosedRange<UInt64>?
    public var inputs: Bool
    public var states: Bool
    /// Decode the entities of state records (keyframes, and deltas whose baseline was printed).
    public var entities: Bool

    public init(room: String? = nil, player: String? = nil, ticks: ClosedRange<UInt64>? = nil, inputs: Bool = true, states: Bool = true, entities: Bool = false) {
        self.room = room
        self.player = player
        self.ticks = ticks
        self.inputs = inputs
        self.states = states
        self.entities = entities
    }
}
