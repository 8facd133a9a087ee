public import TickstreamKafka
public import TickstreamProtocol
public import TickstreamRules
import SwiftProtobuf

/// One room's history as the log holds it: its commands from the inputs topic and its ticks from the state topic.
///
/// Covers the room's first life: from its first join to the record that closed it, if any.
public struct RoomLog: Sendable {
    public let room: String
    /// The room's commands in log order.
    public private(set) var commands: [(offset: Int64, command: RoomCommand)] = []
    /// The recorded ticks in tick order; where a tick was recorded twice, the higher epoch's.
    public private(set) var ticks: [RecordedTick] = []
    /// The last state record of the room.
    public private(set) var lastState: StateRecord?
    /// Input records of the room that did not decode.
    public private(set) var undecodable: [Int64] = []
    /// Ticks recorded more than once (a new owner re-publishing what the previous one had published).
    public private(set) var duplicateTicks = 0

    /// - Parameters:
    ///   - inputs: records of the room's input partition, in offset order (other rooms' are skipped).
    ///   - states: records of the room's state partition, in offset order.
    public init(room: String, inputs: [ConsumerRecord], states: [ConsumerRecord]) {
        self.room = room
        let key = Array(room.utf8)
        for record in inputs where record.key == key {
            guard let input = try? InputRecord(serializedBytes: record.value), let command = try? RoomCommand(input) else {
                undecodable.append(record.offset)
                continue
            }
            commands.append((record.offset, command))
        }
        var byTick: [UInt64: RecordedTick] = [:]
        for record in states where record.key == key {
            guard let state = try? StateRecord(serializedBytes: record.value) else { continue }
            if let existing = byTick[state.tick] {
                duplicateTicks += 1
                if existing.epoch > state.workerEpoch { continue }
            }
            byTick[state.tick] = RecordedTick(tick: state.tick, inputWatermark: state.inputWatermark, stateHash: state.stateHash, epoch: state.workerEpoch)
            if state.tick >= lastState?.tick ?? 0 {
                lastState = state
            }
            if state.closed { break }
        }
        ticks = byTick.values.sorted { $0.tick < $1.tick }
    }

    /// Re-simulates the room from its first join and compares every recorded tick.
    /// - Returns: the number of ticks verified, or the first divergence.
    public func verify(rules: any GameRules, idleTimeoutTicks: UInt64) -> Result<Int, ReplayDivergence> {
        var replay = RoomReplay(room: room, rules: rules, idleTimeoutTicks: idleTimeoutTicks)
        var pending = commands[...]
        for tick in ticks {
            if let divergence = replay.replay(tick, commands: &pending) {
                return .failure(divergence)
            }
        }
        return .success(replay.verifiedTicks)
    }
}

extension ReplayDivergence: Error {}
