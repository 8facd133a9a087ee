/// Identifies a player. The gateway takes it from the authenticated session, never from the client's message.
public typealias PlayerID = String

/// A room's authoritative state: its entities, its players and the next entity id to hand out.
///
/// Everything that reaches the state hash is ordered: entities by id, players by player id.
public struct RoomState: Sendable, Hashable {
    /// The tick this state is the result of; 0 before the first tick.
    public var tick: UInt64
    public var entities: EntityTable
    /// The players admitted to the room, sorted by id. The tick engine maintains it.
    public package(set) var players: [RoomPlayer]
    public private(set) var nextEntityID: EntityID

    public init(tick: UInt64 = 0, entities: EntityTable = EntityTable(), players: [RoomPlayer] = [], nextEntityID: EntityID = 1) {
        self.tick = tick
        self.entities = entities
        self.players = players.sorted { $0.id < $1.id }
        self.nextEntityID = nextEntityID
    }

    /// Hands out a fresh entity id; ids are never reused within a room.
    public mutating func allocateEntityID() -> EntityID {
        defer { nextEntityID += 1 }
        return nextEntityID
    }

    /// The player with `id`, if admitted.
    public func player(_ id: PlayerID) -> RoomPlayer? {
        playerIndex(id).map { players[$0] }
    }

    package func playerIndex(_ id: PlayerID) -> Int? {
        players.sortedIndex(of: id, by: { $0.id })
    }

    /// Adds `player`, or replaces the player with its id.
    package mutating func upsertPlayer(_ player: RoomPlayer) {
        let position = players.insertionIndex(of: player.id, by: { $0.id })
        if position < players.count && players[position].id == player.id {
            players[position] = player
        } else {
            players.insert(player, at: position)
        }
    }

    package mutating func removePlayer(_ id: PlayerID) {
        if let index = playerIndex(id) {
            players.remove(at: index)
        }
    }

    /// A hash of everything in the state, stable across processes and platforms.
    public var stateHash: UInt64 {
        var hasher = StateHasher()
        hasher.combine(tick)
        hasher.combine(UInt64(nextEntityID))
        entities.hash(into: &hasher)
        hasher.combine(UInt64(players.count))
        for player in players {
            hasher.combine(player.id)
            hasher.combine(UInt64(player.entity ?? 0))
            hasher.combine(player.lastAppliedSequence)
        }
        return hasher.finalize()
    }
}

/// A player admitted to a room.
public struct RoomPlayer: Sendable, Hashable {
    public var id: PlayerID
    /// The entity the rules gave the player at join, if any.
    public var entity: EntityID?
    /// The sequence number of the last input of this player the simulation applied; 0 before any.
    public var lastAppliedSequence: UInt64

    public init(id: PlayerID, entity: EntityID?, lastAppliedSequence: UInt64 = 0) {
        self.id = id
        self.entity = entity
        self.lastAppliedSequence = lastAppliedSequence
    }
}
