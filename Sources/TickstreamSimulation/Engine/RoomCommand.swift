public import TickstreamRules

/// One input record of a room, as the tick engine applies it.
public enum RoomCommand: Sendable, Hashable {
    case join(PlayerID)
    case leave(PlayerID, dropped: Bool)
    case input(PlayerID, sequence: UInt64, payload: [UInt8])
    case relay(from: PlayerID, to: PlayerID, kind: String, payload: [UInt8])

    /// The player who issued the command.
    public var player: PlayerID {
        switch self {
        case .join(let player), .leave(let player, _), .input(let player, _, _), .relay(let player, _, _, _):
            player
        }
    }
}

/// Something that happened in a tick besides the change of state, for the room's clients.
public enum TickEvent: Sendable, Hashable {
    case joined(PlayerID, entity: EntityID?)
    case left(PlayerID, dropped: Bool)
    case joinRejected(PlayerID, reason: String)
    case relay(from: PlayerID, to: PlayerID, kind: String, payload: [UInt8])
}

/// A command the engine refused, and why. The worker sends it to the dead letters.
public struct RejectedCommand: Sendable, Hashable {
    public var offset: Int64
    public var reason: String
}
