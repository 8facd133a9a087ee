public import TickstreamArena
public import TickstreamProtocol
public import TickstreamRules
import TickstreamSnapshot

/// What a binary client does with snapshots: rebuilds each tick's entities from keyframes and deltas against the
/// ticks it keeps, and checks each state against the server's hash.
public struct SnapshotTracker: Sendable {
    public let schema: EntitySchema
    public private(set) var states: [UInt64: EntityTable] = [:]
    /// Snapshots whose entity hash was checked (keyframes and every 30th tick).
    public private(set) var checkedHashes = 0
    public private(set) var latestTick: UInt64 = 0

    public init(schema: EntitySchema = ArenaSchema.schema) {
        self.schema = schema
    }

    /// Applies `snapshot`; returns the state, after checking it against the snapshot's hash.
    @discardableResult
    public mutating func apply(_ snapshot: ServerMessage.Snapshot) throws -> EntityTable {
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
        // The hash travels with keyframes and every 30th tick; 0 means this snapshot carries none.
        guard snapshot.entityHash == 0 || table.entityHash == snapshot.entityHash else { throw HashMismatch(tick: snapshot.tick) }
        if snapshot.entityHash != 0 {
            checkedHashes += 1
        }
        states[snapshot.tick] = table
        latestTick = max(latestTick, snapshot.tick)
        return table
    }

    public struct MissingBaseline: Error { public let tick: UInt64 }
    public struct HashMismatch: Error { public let tick: UInt64 }
}
