import TickstreamArena
import TickstreamRules

/// The arena reference for the snapshot benchmark: players holding a direction for about 0.7 s at a
/// time, pickups spawning and being collected, simulated by `ArenaRules` tick by tick.
struct SnapshotWorkload {
    let rules = ArenaRules()
    let playerCount: Int
    /// Mean time a player holds a direction, in ticks.
    let meanHoldTicks: Double
    private var random: DeterministicRandom

    init(playerCount: Int, meanHoldSeconds: Double, seed: UInt64) {
        self.playerCount = playerCount
        self.meanHoldTicks = meanHoldSeconds * Double(rules.tickRate)
        self.random = DeterministicRandom(seed: seed)
    }

    /// The room's entities after each of `ticks` ticks; element `i` is the state at tick `i + 1`.
    mutating func run(ticks: Int) -> [EntityTable] {
        var room = RoomState()
        var context = TickContext(room: "bench", tick: 0)
        rules.startRoom(&room, context: &context)
        var players: [(id: PlayerID, entity: EntityID?, sequence: UInt64)] = []
        for index in 0..<playerCount {
            let id = "player-\(index)"
            guard case .admit(let entity) = rules.join(id, room: &room, context: &context) else {
                fatalError("the arena refused \(id)")
            }
            players.append((id, entity, 0))
        }
        var states: [EntityTable] = []
        states.reserveCapacity(ticks)
        for tick in 1...UInt64(ticks) {
            var inputs: [PlayerInput] = []
            for index in players.indices where tick == 1 || Double.random(in: 0..<1, using: &random) < 1 / meanHoldTicks
            {
                players[index].sequence += 1
                let heading = ArenaHeading.allCases[Int.random(in: 1..<ArenaHeading.allCases.count, using: &random)]
                inputs.append(
                    PlayerInput(
                        player: players[index].id,
                        entity: players[index].entity,
                        sequence: players[index].sequence,
                        payload: ArenaInput(heading: heading).payload
                    ))
            }
            var context = TickContext(room: "bench", tick: tick)
            rules.tick(&room, inputs: inputs, context: &context)
            room.tick = tick
            states.append(room.entities)
        }
        return states
    }
}
