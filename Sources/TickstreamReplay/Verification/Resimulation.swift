import TickstreamProtocol
public import TickstreamRules
import TickstreamSimulation

/// Re-simulates a recorded room tick by tick, cut by the recorded input watermarks, and compares every
/// state hash; at the first difference it reconstructs the recorded state and names what differs.
public struct Resimulation: Sendable {
    public let recording: RoomRecording
    public let rules: any GameRules
    private var replay: RoomReplay
    private var pending: ArraySlice<(offset: Int64, command: RoomCommand)>
    /// The checkpoint's state, the baseline of the first recorded deltas after it.
    private let start: RoomState?
    /// The index in `recording.states` of the next tick to re-simulate.
    private var next = 0

    /// - Throws: `ReplayError.otherRules` if the recording was made by other rules, name, version or tick
    ///   rate, or its checkpoint does not restore.
    public init(recording: RoomRecording, rules: any GameRules, idleTimeoutTicks: UInt64) throws(ReplayError) {
        if let name = recording.rulesName, let version = recording.rulesVersion, name != rules.name || version != rules.version {
            throw .otherRules("room \(recording.room) was recorded with rules \(name) v\(version); this build replays \(rules.name) v\(rules.version)")
        }
        if let tickRate = recording.tickRate, tickRate != 0, Int(tickRate) != rules.tickRate {
            throw .otherRules("room \(recording.room) ran at \(tickRate) ticks per second, not \(rules.tickRate): pass --tick-rate \(tickRate)")
        }
        if let checkpoint = recording.checkpoint {
            do {
                replay = RoomReplay(engine: try checkpoint.restore(rules: rules, idleTimeoutTicks: idleTimeoutTicks))
            } catch {
                throw .otherRules("\(error)")
            }
        } else {
            replay = RoomReplay(room: recording.room, rules: rules, idleTimeoutTicks: idleTimeoutTicks)
        }
        start = recording.checkpoint == nil ? nil : replay.engine.state
        // Records that are no command were dead-lettered by the worker and never applied.
        pending = recording.inputs.compactMap { input in
            (try? RoomCommand(input.record)).map { (input.offset, $0) }
        }[...]
        self.recording = recording
        self.rules = rules
    }

    /// The re-simulated state after the last tick run.
    public var state: RoomState { replay.engine.state }

    /// Ticks re-simulated whose hash matched the recording.
    public var verifiedTicks: Int { replay.verifiedTicks }

    /// Re-simulates the recorded ticks up to `tick` (nil: every one), checking each hash.
    /// - Parameter progress: called every 10,000 ticks with the ticks done and the ticks to do.
    /// - Returns: the first divergence, or nil if every hash matched.
    public mutating func run(through tick: UInt64? = nil, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> Divergence? {
        let states = recording.states
        let end = tick.map { limit in states.firstIndex { $0.tick > limit } ?? states.endIndex } ?? states.endIndex
        while next < end {
            let record = states[next]
            let recorded = RecordedTick(tick: record.tick, inputWatermark: record.inputWatermark, stateHash: record.stateHash, epoch: record.workerEpoch)
            let previousWatermark = replay.engine.inputWatermark
            if let divergence = replay.replay(recorded, commands: &pending) {
                return report(divergence, record: record, after: previousWatermark)
            }
            next += 1
            if next % 10_000 == 0 { progress(next, end) }
        }
        return nil
    }

    /// Describes a divergence entity by entity, from the recorded state reconstructed out of the state records.
    private func report(_ divergence: ReplayDivergence, record: StateRecord, after previousWatermark: Int64) -> Divergence {
        let inputs = recording.inputs.filter { $0.offset > previousWatermark && $0.offset <= record.inputWatermark }
        var report = Divergence(
            tick: record.tick, expectedHash: record.stateHash, actualHash: divergence.actualHash, detail: divergence.detail,
            differences: [], inputs: inputs, actual: divergence.actual
        )
        var tables = RecordedTables(states: recording.states, start: start, schema: rules.schema)
        do {
            let recorded = try tables.table(at: record.tick)
            report.differences = StateDifference.between(recorded, divergence.actual.entities, schema: rules.schema)
        } catch {
            report.reconstructionError = error.message
        }
        let players = record.players.map { RoomPlayer(id: $0.player, entity: $0.entity == 0 ? nil : $0.entity, lastAppliedSequence: $0.lastAppliedSequence) }
        report.differences += StateDifference.between(players, divergence.actual.players)
        if record.nextEntityID != divergence.actual.nextEntityID {
            report.differences.append(.nextEntityID(expected: record.nextEntityID, actual: divergence.actual.nextEntityID))
        }
        return report
    }
}
