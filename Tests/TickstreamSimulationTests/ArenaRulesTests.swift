import Testing
import TickstreamArena
import TickstreamRules

@Suite struct ArenaRulesTests {
    let rules = ArenaRules()

    func roomWithPlayer() -> (RoomState, EntityID) {
        var room = RoomState()
        var context = TickContext(room: "r", tick: 1)
        guard case .admit(let entity?) = rules.join("ann", room: &room, context: &context) else {
            Issue.record("join refused")
            return (room, 0)
        }
        return (room, entity)
    }

    @Test func movesThreeHundredUnitsPerSecond() {
        var (room, id) = roomWithPlayer()
        room.entities.update(id) {
            $0.fields[ArenaSchema.Player.x] = 10_000
            $0.fields[ArenaSchema.Player.y] = 10_000
        }
        let east = PlayerInput(player: "ann", entity: id, sequence: 1, payload: ArenaInput(heading: .east).payload)
        for tick in 1...30 {
            var context = TickContext(room: "r", tick: UInt64(tick))
            rules.tick(&room, inputs: tick == 1 ? [east] : [], context: &context)
        }
        let player = room.entities[id: id]!
        #expect(player.fields[ArenaSchema.Player.x] == 10_000 + 30_000)
        #expect(player.fields[ArenaSchema.Player.y] == 10_000)
        #expect(player.fields[ArenaSchema.Player.vx] == 1_000)
        #expect(player.fields[ArenaSchema.Player.lastInput] == 1)
    }

    @Test func wallsStopPlayers() {
        var (room, id) = roomWithPlayer()
        room.entities.update(id) { $0.fields[ArenaSchema.Player.x] = ArenaRules.size - 500 }
        let east = PlayerInput(player: "ann", entity: id, sequence: 1, payload: ArenaInput(heading: .east).payload)
        var context = TickContext(room: "r", tick: 2)
        rules.tick(&room, inputs: [east], context: &context)
        #expect(room.entities[id: id]!.fields[ArenaSchema.Player.x] == ArenaRules.size)
        #expect(room.entities[id: id]!.fields[ArenaSchema.Player.vx] == 500)
    }

    @Test func pickupsSpawnAndScore() {
        var (room, id) = roomWithPlayer()
        for tick in 2...600 {
            var context = TickContext(room: "r", tick: UInt64(tick))
            rules.tick(&room, inputs: [], context: &context)
        }
        let pickups = room.entities.filter { $0.kind == ArenaSchema.Pickup.kind }
        #expect(pickups.count == ArenaRules.maxPickups)
        // Put the player on a pickup: it is collected at the next tick.
        let target = pickups[0]
        room.entities.update(id) {
            $0.fields[ArenaSchema.Player.x] = target.fields[ArenaSchema.Pickup.x]
            $0.fields[ArenaSchema.Player.y] = target.fields[ArenaSchema.Pickup.y]
            $0.fields[ArenaSchema.Player.heading] = ArenaHeading.still.rawValue
        }
        var context = TickContext(room: "r", tick: 601)
        rules.tick(&room, inputs: [], context: &context)
        #expect(room.entities[id: target.id] == nil)
        #expect(room.entities[id: id]!.fields[ArenaSchema.Player.score] >= target.fields[ArenaSchema.Pickup.value])
    }

    @Test func inputPayloadsAreValidated() {
        #expect(rules.rejectionReason(forInput: ArenaInput(heading: .northWest).payload) == nil)
        #expect(rules.rejectionReason(forInput: [1]) != nil)
        #expect(rules.rejectionReason(forInput: [2, 0]) != nil)
        #expect(ArenaInput(payload: [0xFF, 0x01])?.heading == .southWest)
    }
}
