public import TickstreamKafka
public import TickstreamProtocol
import SwiftProtobuf

/// A room's history as replay needs it, from Kafka or from an export file: where re-simulation starts
/// (the room's first join, or a checkpoint), the input records after that start, and the recorded ticks.
///
/// Covers one life of the room: a room that closed (idle) and was joined again starts a new life at tick 1.
public struct RoomRecording: Sendable {
    public var room: String
    /// The room's partition index in the inputs and state topics.
    public var partition: Int32
    /// Re-simulation starts here; nil: from the room's first join.
    public var checkpoint: Checkpoint?
    /// The room's input records after the start, in offset order.
    public var inputs: [RecordedInput]
    /// One state record per tick after the start, in tick order; where a tick was recorded twice (a new
    /// owner re-publishing), the higher epoch's.
    public var states: [StateRecord]
    /// State records seen twice for a tick.
    public private(set) var duplicateTicks: Int
    /// The rules the room ran under, where known: from a checkpoint of the room or an export file
    /// (state records do not name them).
    public var rulesName: String?
    public var rulesVersion: UInt32?

    public init(room: String, partition: Int32, checkpoint: Checkpoint?, inputs: [RecordedInput], states: [StateRecord], duplicateTicks: Int = 0) {
        self.room = room
        self.partition = partition
        self.checkpoint = checkpoint
        self.rulesName = checkpoint?.rulesName
        self.rulesVersion = checkpoint?.rulesVersion
        self.inputs = inputs
        self.states = states
        self.duplicateTicks = duplicateTicks
    }

    /// Assembles the first life of `room` found in records read from Kafka (other rooms' records are skipped).
    ///
    /// - Parameters:
    ///   - inputs: records of the room's inputs partition, in offset order.
    ///   - states: records of the room's state partition, in offset order.
    ///   - checkpoint: start from this checkpoint: only the ticks after it, in the life it was taken in, count.
    /// - Returns: nil if the state partition holds no tick of the room (after the checkpoint).
    public init?(room: String, partition: Int32, inputs: [ConsumerRecord], states: [ConsumerRecord], checkpoint: Checkpoint? = nil) {
        let key = Array(room.utf8)
        var byTick: [UInt64: StateRecord] = [:]
        var duplicates = 0
        // With a checkpoint, the ticks of its life start after the state record it was taken at.
        var started = checkpoint == nil
        // The last input offset of the lives before this one.
        var earlierLivesEnd = checkpoint.map { $0.nextInputOffset - 1 } ?? -1
        for record in states where record.key == key {
            guard let state = try? StateRecord(serializedBytes: record.value) else { continue }
            if !started {
                started = state.tick == checkpoint?.tick && state.stateHash == checkpoint?.stateHash
                continue
            }
            if let checkpoint, state.tick <= checkpoint.tick { continue }
            if checkpoint == nil, byTick.isEmpty, state.tick != 1 || !(state.inputWatermark > earlierLivesEnd) {
                // The tail of an earlier life, whose start the state topic no longer holds.
                if state.closed { earlierLivesEnd = state.inputWatermark }
                continue
            }
            if let existing = byTick[state.tick] {
                duplicates += 1
                if existing.workerEpoch > state.workerEpoch { continue }
            }
            byTick[state.tick] = state
            if state.closed { break }
        }
        guard !byTick.isEmpty else { return nil }

        // The inputs of this life: after the checkpoint, or from the first join after the earlier lives
        // (a join is what opens a room; the worker dead-letters anything else sent to a closed room).
        var recorded: [RecordedInput] = []
        for record in inputs where record.key == key && record.offset > earlierLivesEnd {
            guard let input = try? InputRecord(serializedBytes: record.value) else { continue }
            if checkpoint == nil, recorded.isEmpty, input.action != .join(InputRecord.Join()) { continue }
            recorded.append(RecordedInput(offset: record.offset, timestamp: record.timestamp, record: input))
        }
        self.init(
            room: room, partition: partition, checkpoint: checkpoint, inputs: recorded,
            states: byTick.values.sorted { $0.tick < $1.tick }, duplicateTicks: duplicates
        )
    }

    /// The first and last recorded tick.
    public var tickRange: ClosedRange<UInt64>? {
        guard let first = states.first, let last = states.last else { return nil }
        return first.tick...last.tick
    }

    /// The room's tick rate, as recorded.
    public var tickRate: UInt32? { states.first?.tickRate ?? checkpoint?.tickRate }
}
