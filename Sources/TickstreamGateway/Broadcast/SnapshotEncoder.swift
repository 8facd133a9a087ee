import Foundation
import TickstreamProtocol
import TickstreamRules
import TickstreamSnapshot

/// Encodes one room's state at one tick for its clients: once per distinct baseline and wire format, shared by
/// every client with that baseline.
struct SnapshotEncoder {
    private struct Key: Hashable {
        var baselineTick: UInt64
        var json: Bool
    }

    let tick: UInt64
    let target: EntityTable
    private let history: RoomHistory
    private let schema: EntitySchema
    private let entityHash: UInt64
    private var cache: [Key: SharedSnapshot] = [:]

    init(tick: UInt64, target: EntityTable, history: RoomHistory, schema: EntitySchema) {
        self.tick = tick
        self.target = target
        self.history = history
        self.schema = schema
        self.entityHash = target.entityHash
    }

    /// Deltas carry the entity hash on ticks that are a multiple of this; keyframes always do.
    static let entityHashInterval: UInt64 = 30

    /// How many distinct encodings were made.
    var encodingCount: Int { cache.count }

    /// The snapshot for a client that acknowledged `acknowledgedTick`: a delta from it if the history still holds
    /// it, else a keyframe.
    mutating func snapshot(acknowledgedTick: UInt64, format: WireFormat) throws -> SharedSnapshot {
        let baseline = acknowledgedTick != 0 && acknowledgedTick < tick ? history.entities(at: acknowledgedTick) : nil
        let key = Key(baselineTick: baseline == nil ? 0 : acknowledgedTick, json: format.isJSON)
        if let cached = cache[key] {
            return cached
        }
        var snapshot = ServerMessage.Snapshot()
        snapshot.tick = tick
        snapshot.baselineTick = key.baselineTick
        // The hash costs ~11 bytes: often enough to catch a divergent client within a second, not on every tick.
        if baseline == nil || tick % Self.entityHashInterval == 0 {
            snapshot.entityHash = entityHash
        }
        switch (baseline, key.json) {
        case (nil, false):
            snapshot.payload = Data(SnapshotCodec.encodeKeyframe(target, schema: schema))
        case (let baseline?, false):
            snapshot.payload = Data(
                SnapshotCodec.encodeDelta(
                    from: baseline,
                    baselineTick: key.baselineTick,
                    to: target,
                    tick: tick,
                    schema: schema
                )
            )
        case (nil, true):
            snapshot.entities = target.map(entityState)
        case (let baseline?, true):
            let delta = SnapshotDelta.between(baseline, target)
            var entities = delta.added.map(entityState)
            entities += delta.changed.map(entityState)
            entities.sort { $0.id < $1.id }
            snapshot.entities = entities
            snapshot.removed = delta.removed
        }
        let shared = try SharedSnapshot(snapshot, format: format)
        cache[key] = shared
        return shared
    }

    /// An entity with every field, by name.
    private func entityState(_ entity: Entity) -> ServerMessage.EntityState {
        var state = ServerMessage.EntityState()
        state.id = entity.id
        guard Int(entity.kind) < schema.kinds.count else { return state }
        let kind = schema.kinds[Int(entity.kind)]
        state.kind = kind.name
        for (field, value) in zip(kind.fields, entity.fields) {
            state.fields[field.name] = value
        }
        return state
    }

    /// An entity with its changed fields only, by name.
    private func entityState(_ change: ChangedEntity) -> ServerMessage.EntityState {
        var state = ServerMessage.EntityState()
        state.id = change.id
        guard Int(change.kind) < schema.kinds.count else { return state }
        let kind = schema.kinds[Int(change.kind)]
        state.kind = kind.name
        var values = change.values.makeIterator()
        for (index, field) in kind.fields.enumerated() where change.changedFields & (1 << UInt64(index)) != 0 {
            state.fields[field.name] = values.next()
        }
        return state
    }
}
