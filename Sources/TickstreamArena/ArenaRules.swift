public import TickstreamRules

/// The reference game: players move in a 1000×1000 arena with a held direction and collect pickups.
///
/// Positions are in 0.01 units. A player's input is two signed bytes, the held direction (dx, dy),
/// each in -1...1; the player keeps moving that way at 300 units/s until the next input.
public struct ArenaRules: GameRules {
    public let name = "arena"
    public let version: UInt32 = 1
    public let tickRate: Int
    public let maxPlayers: Int
    public let schema = ArenaSchema.schema

    /// The arena's side, in stored units (1000 units of 0.01).
    public static let size: Int64 = 100_000
    /// Most pickups on the field at once.
    public static let maxPickups = 12
    /// How close (stored units) a player must come to collect a pickup.
    public static let pickupRadius: Int64 = 2_000

    /// Distance per tick along an axis, in stored units: 300 units/s.
    let straightStep: Int64
    /// Per-axis step when moving diagonally, so that the speed stays 300 units/s.
    let diagonalStep: Int64

    public init(tickRate: Int = 30, maxPlayers: Int = 32) {
        precondition(tickRate > 0 && tickRate <= 1_000, "tick rate out of range")
        self.tickRate = tickRate
        self.maxPlayers = maxPlayers
        self.straightStep = 30_000 / Int64(tickRate)
        self.diagonalStep = straightStep * 7_071 / 10_000
    }

    public func join(_ player: PlayerID, room: inout RoomState, context: inout TickContext) -> JoinDecision {
        guard room.players.count < maxPlayers else {
            return .reject(reason: "room is full (\(maxPlayers) players)")
        }
        let id = room.allocateEntityID()
        var fields = [Int64](repeating: 0, count: ArenaSchema.Player.fieldCount)
        fields[ArenaSchema.Player.x] = context.random.next(in: 0...Self.size)
        fields[ArenaSchema.Player.y] = context.random.next(in: 0...Self.size)
        fields[ArenaSchema.Player.heading] = ArenaHeading.still.rawValue
        room.entities.upsert(Entity(id: id, kind: ArenaSchema.Player.kind, fields: fields))
        return .admit(entity: id)
    }

    public func leave(_ player: PlayerID, reason: LeaveReason, room: inout RoomState, context: inout TickContext) {
        if let entity = room.player(player)?.entity {
            room.entities.remove(entity)
        }
    }

    public func rejectionReason(forInput payload: [UInt8]) -> String? {
        ArenaInput(payload: payload) == nil ? "an arena input is two bytes, dx and dy, each -1, 0 or 1" : nil
    }

    public func tick(_ room: inout RoomState, inputs: [PlayerInput], context: inout TickContext) {
        for input in inputs {
            guard let entity = input.entity, let position = room.entities.index(of: entity),
                let move = ArenaInput(payload: input.payload)
            else { continue }
            room.entities[position, field: ArenaSchema.Player.heading] = move.heading.rawValue
            room.entities[position, field: ArenaSchema.Player.lastInput] = Int64(truncatingIfNeeded: input.sequence)
        }
        movePlayers(&room)
        collectPickups(&room)
        spawnPickup(&room, context: &context)
    }

    /// Moves every player one step along its heading, stopping at the walls.
    ///
    /// `vx`/`vy` hold the step actually taken, so that a client (and the snapshot codec) can extrapolate.
    private func movePlayers(_ room: inout RoomState) {
        for position in room.entities.indices where room.entities.kind(at: position) == ArenaSchema.Player.kind {
            let heading = ArenaHeading(rawValue: room.entities[position, field: ArenaSchema.Player.heading]) ?? .still
            let step = heading.isDiagonal ? diagonalStep : straightStep
            let x = room.entities[position, field: ArenaSchema.Player.x]
            let y = room.entities[position, field: ArenaSchema.Player.y]
            let newX = min(max(x + heading.dx * step, 0), Self.size)
            let newY = min(max(y + heading.dy * step, 0), Self.size)
            room.entities[position, field: ArenaSchema.Player.x] = newX
            room.entities[position, field: ArenaSchema.Player.y] = newY
            room.entities[position, field: ArenaSchema.Player.vx] = newX - x
            room.entities[position, field: ArenaSchema.Player.vy] = newY - y
        }
    }

    /// Gives each pickup to the lowest-id player within reach, then removes it.
    private func collectPickups(_ room: inout RoomState) {
        let pickups = room.entities.indices
            .filter { room.entities.kind(at: $0) == ArenaSchema.Pickup.kind }
            .map { room.entities[$0] }
        let radiusSquared = Self.pickupRadius * Self.pickupRadius
        for pickup in pickups {
            let px = pickup.fields[ArenaSchema.Pickup.x]
            let py = pickup.fields[ArenaSchema.Pickup.y]
            let collector = room.entities.indices.first { position in
                guard room.entities.kind(at: position) == ArenaSchema.Player.kind else { return false }
                let dx = room.entities[position, field: ArenaSchema.Player.x] - px
                let dy = room.entities[position, field: ArenaSchema.Player.y] - py
                return dx * dx + dy * dy <= radiusSquared
            }
            guard let collector else { continue }
            let collectorID = room.entities.id(at: collector)
            room.entities.remove(pickup.id)
            room.entities.update(collectorID) { player in
                player.fields[ArenaSchema.Player.score] += pickup.fields[ArenaSchema.Pickup.value]
            }
        }
    }

    /// About one new pickup per second while the field has room for more.
    private func spawnPickup(_ room: inout RoomState, context: inout TickContext) {
        let pickupCount = room.entities.indices.count { room.entities.kind(at: $0) == ArenaSchema.Pickup.kind }
        guard pickupCount < Self.maxPickups, context.random.next(in: 1...Int64(tickRate)) == 1 else { return }
        let fields: [Int64] = [
            context.random.next(in: 0...Self.size),
            context.random.next(in: 0...Self.size),
            context.random.next(in: 1...5),
        ]
        room.entities.upsert(Entity(id: room.allocateEntityID(), kind: ArenaSchema.Pickup.kind, fields: fields))
    }
}
