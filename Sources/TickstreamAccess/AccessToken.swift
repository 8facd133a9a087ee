public import TickstreamRules

/// What a signed token lets its bearer do: who the player is, which rooms it may enter and whether it plays or
/// only watches, until when.
public struct AccessToken: Sendable, Hashable {
    /// Whether the bearer plays or only watches.
    public enum Role: String, Sendable, Hashable, Codable {
        /// Joins rooms as a player: an entity, inputs and relays.
        case player
        /// Every join is a spectate: snapshots and events, never inputs or relays.
        case spectator
    }

    /// The player id the gateway stamps on everything this bearer does (the `sub` claim).
    public var player: PlayerID
    /// The rooms the bearer may enter: names, or patterns where `*` stands for any run of characters.
    public var rooms: [RoomPattern]
    public var role: Role
    /// Seconds since 1970 after which the token is refused (the `exp` claim).
    public var expiresAt: Int64
    /// Seconds since 1970 when the token was minted (the `iat` claim).
    public var issuedAt: Int64

    public init(player: PlayerID, rooms: [RoomPattern], role: Role = .player, expiresAt: Int64, issuedAt: Int64) {
        self.player = player
        self.rooms = rooms
        self.role = role
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
    }

    /// Whether the token lets its bearer enter `room`.
    public func allows(_ room: String) -> Bool {
        rooms.contains { $0.matches(room) }
    }
}
