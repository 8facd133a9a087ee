import SwiftProtobuf
package import TickstreamProtocol
package import TickstreamRules
import TickstreamSnapshot

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Checkpoint {
    /// A checkpoint of `engine` after its last tick.
    /// - Parameter nextInputOffset: the first offset of the room's input partition not yet applied.
    init(engine: RoomEngine, nextInputOffset: Int64, epoch: UInt64, takenAtMs: Int64) {
        self.init()
        let state = engine.state
        room = engine.room
        tick = state.tick
        entities = Data(SnapshotCodec.encodeKeyframe(state.entities, schema: engine.rules.schema))
        players = state.players.map(PlayerProgress.init)
        nextEntityID = state.nextEntityID
        self.nextInputOffset = nextInputOffset
        rulesName = engine.rules.name
        rulesVersion = engine.rules.version
        stateHash = state.stateHash
        workerEpoch = epoch
        tickRate = UInt32(engine.rules.tickRate)
        idleTicks = engine.idleTicks
        self.takenAtMs = takenAtMs
    }

    /// Rebuilds the room engine the checkpoint was taken of.
    /// - Throws: `RecordError` if the checkpoint is of other rules or does not decode.
    package func restore(rules: any GameRules, idleTimeoutTicks: UInt64) throws(RecordError) -> RoomEngine {
        guard rulesName == rules.name, rulesVersion == rules.version else {
            throw RecordError("checkpoint of \(room) is of rules \(rulesName) v\(rulesVersion), not \(rules.name) v\(rules.version)")
        }
        let table: EntityTable
        do {
            table = try SnapshotCodec.decode([UInt8](entities), baseline: nil, baselineTick: nil, tick: tick, schema: rules.schema)
        } catch {
            throw RecordError("checkpoint of \(room) at tick \(tick): \(error)")
        }
        let state = RoomState(tick: tick, entities: table, players: players.map(RoomPlayer.init), nextEntityID: nextEntityID)
        guard state.stateHash == stateHash else {
            throw RecordError("checkpoint of \(room) at tick \(tick): state hash mismatch")
        }
        return RoomEngine(
            room: room, rules: rules, state: state, idleTicks: idleTicks,
            idleTimeoutTicks: idleTimeoutTicks, inputWatermark: nextInputOffset - 1
        )
    }
}
