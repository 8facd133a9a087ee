import TickstreamProtocol
import TickstreamRules
import TickstreamSnapshot

/// The entity tables the state records hold, decoded on demand: a keyframe, or a delta against the
/// record of its baseline tick, which is decoded first.
///
/// Decoding every record would double the cost of a verify; only a divergence needs the recorded tables.
struct RecordedTables {
    private let states: [StateRecord]
    private let schema: EntitySchema
    /// Known tables by tick: the start state and those decoded so far.
    private var decoded: [UInt64: EntityTable]

    /// - Parameters:
    ///   - states: the recorded ticks, in tick order.
    ///   - start: the state replay starts from (a checkpoint's), a baseline for the first deltas.
    init(states: [StateRecord], start: RoomState?, schema: EntitySchema) {
        self.states = states
        self.schema = schema
        self.decoded = start.map { [$0.tick: $0.entities] } ?? [:]
    }

    /// The recorded entities after `tick`.
    /// - Throws: `ReplayError.tickNotRecorded` if the chain of baselines leads to a tick not recorded,
    ///   or a record does not decode.
    mutating func table(at tick: UInt64) throws(ReplayError) -> EntityTable {
        // Follow the baselines back to a keyframe or a known table, then decode forward.
        var chain: [StateRecord] = []
        var next = tick
        while decoded[next] == nil {
            guard let record = record(at: next) else {
                throw .tickNotRecorded("the state record of tick \(next) (a baseline of tick \(tick)) is not in the recording")
            }
            chain.append(record)
            if record.baselineTick == 0 { break }
            next = record.baselineTick
        }
        for record in chain.reversed() {
            let baseline = record.baselineTick == 0 ? nil : decoded[record.baselineTick]
            do {
                decoded[record.tick] = try SnapshotCodec.decode(
                    [UInt8](record.entities), baseline: baseline, baselineTick: record.baselineTick, tick: record.tick, schema: schema
                )
            } catch {
                throw .tickNotRecorded("the state record of tick \(record.tick) does not decode: \(error)")
            }
        }
        return decoded[tick]!
    }

    private func record(at tick: UInt64) -> StateRecord? {
        guard let first = states.first?.tick, tick >= first else { return nil }
        let index = Int(tick - first)
        if index < states.count, states[index].tick == tick { return states[index] }
        return states.first { $0.tick == tick }
    }
}
