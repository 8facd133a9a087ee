import TickstreamArena
import TickstreamProtocol
import TickstreamRules
import TickstreamSnapshot

/// What a binary client does with snapshots: rebuilds each tick's entities from keyframes and deltas against the
/// ticks it keeps, and checks each state against the server's hash.
struct SnapshotTracker: Sendable {
    let schema: EntitySchema
    private(set) var states: [UInt64: EntityTable] = [:]
    private(set) var latestTick: UInt64 = 0

    init(schema: EntitySchema = ArenaSchema.schema) {
        self.schema = schema
    }

    /// Applies `snapshot`; returns the state, after checking it against the snapshot's hash.
    @discardableResult
    mutating func apply(_ snapshot: ServerMessage.Snapshot) throws -> EntityTable {
        let baseline = snapshot.baselineTick == 0 ? nil : states[snapshot.baselineTick]
        if snapshot.baselineTick != 0 && baseline == nil {
            throw MissingBaseline(tick: snapshot.baselineTick)
        }
        let table = try SnapshotCodec.decode(
            [UInt8](snapshot.payload),
            baseline: baseline,
            baselineTick: snapshot.baselineTick == 0 ? nil : snapshot.baselineTick,
            tick: snapshot.tick,
            schema: schema
        )
        guard table.entityHash == snapshot.entityHash else { throw HashMismatch(tick: snapshot.tick) }
        states[snapshot.tick] = table
        latestTick = max(latestTick, snapshot.tick)
        return table
    }

    struct MissingBaseline: Error { let tick: UInt64 }
    struct HashMismatch: Error { let tick: UInt64 }
}
