import TickstreamProtocol
import TickstreamRules
import TickstreamSnapshot

/// The last states of one room, rebuilt from its state records: the baselines of its clients' deltas.
///
/// Readers keep the highest tick: a record of a lower tick, or of the same tick from the same or an older
/// worker epoch, is stale. A delta whose baseline is not here leaves the state unknown until the next keyframe.
struct RoomHistory {
    struct Entry {
        var tick: UInt64
        var entities: EntityTable
    }

    /// What a state record did to the history.
    enum Outcome {
        /// Older than what the history has: ignore it.
        case stale
        /// The room's state at the record's tick.
        case state(EntityTable)
        /// A newer tick whose state cannot be rebuilt here (its baseline is missing or it did not decode).
        case unknownState
    }

    let capacity: Int
    /// Oldest first, strictly increasing ticks, at most `capacity`.
    private(set) var entries: [Entry] = []
    private(set) var latestTick: UInt64 = 0
    private var latestEpoch: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a history holds at least one tick")
        self.capacity = capacity
    }

    /// The state at `tick`, if the history still holds it.
    func entities(at tick: UInt64) -> EntityTable? {
        entries.last { $0.tick == tick }?.entities
    }

    mutating func apply(_ record: StateRecord, schema: EntitySchema) -> Outcome {
        guard record.tick > latestTick || (record.tick == latestTick && record.workerEpoch > latestEpoch) else {
            return .stale
        }
        latestTick = record.tick
        latestEpoch = record.workerEpoch
        let bytes = [UInt8](record.entities)
        let table: EntityTable
        do {
            if record.baselineTick == 0 {
                table = try SnapshotCodec.decode(bytes, baseline: nil, baselineTick: nil, tick: record.tick, schema: schema)
            } else if let baseline = entities(at: record.baselineTick) {
                table = try SnapshotCodec.decode(
                    bytes,
                    baseline: baseline,
                    baselineTick: record.baselineTick,
                    tick: record.tick,
                    schema: schema
                )
            } else {
                return .unknownState
            }
        } catch {
            return .unknownState
        }
        entries.removeAll { $0.tick >= record.tick }
        entries.append(Entry(tick: record.tick, entities: table))
        if entries.count > capacity {
            entries.removeFirst(entries.count - capacity)
        }
        return .state(table)
    }

    /// The room closed: a later join starts a new room from tick 1.
    mutating func reset() {
        entries = []
        latestTick = 0
        latestEpoch = 0
    }
}
