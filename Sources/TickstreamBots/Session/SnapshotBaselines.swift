package import TickstreamRules

/// The few most recent decoded states, by tick: the baselines the server's next deltas may refer to, from the one its
/// latest delta used on.
package struct SnapshotBaselines: Sendable {
    private struct Entry: Sendable {
        var tick: UInt64
        var entities: EntityTable
    }

    package let capacity: Int
    private var entries: [Entry] = []

    package init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    package subscript(tick: UInt64) -> EntityTable? {
        entries.first { $0.tick == tick }?.entities
    }

    /// Keeps `entities` as the state at `tick`, forgetting the oldest state when full.
    package mutating func insert(_ entities: EntityTable, at tick: UInt64) {
        if let index = entries.firstIndex(where: { $0.tick == tick }) {
            entries[index].entities = entities
            return
        }
        if entries.count == capacity, let oldest = entries.indices.min(by: { entries[$0].tick < entries[$1].tick }) {
            entries.remove(at: oldest)
        }
        entries.append(Entry(tick: tick, entities: entities))
    }

    /// Forgets the states before `tick`. The server encodes against the newest tick the client acknowledged, and
    /// acknowledgements only grow: once a delta came against `tick`, none will come against an older state.
    package mutating func removeAll(before tick: UInt64) {
        entries.removeAll { $0.tick < tick }
    }

    package mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
    }

    package var ticks: [UInt64] { entries.map(\.tick).sorted() }
}
