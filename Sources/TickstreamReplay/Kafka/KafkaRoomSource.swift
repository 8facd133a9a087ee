import TickstreamKafka
public import TickstreamProtocol
import SwiftProtobuf

/// Finds a room's records in Tickstream's topics and assembles them into a ``RoomRecording``.
public struct KafkaRoomSource: Sendable {
    public let reader: LogReader
    public let topics: TopicLayout

    public init(reader: LogReader, topics: TopicLayout) {
        self.reader = reader
        self.topics = topics
    }

    /// The partition index of `room` in the inputs, state and checkpoints topics.
    public func partition(of room: String) async throws(ReplayError) -> Int32 {
        RoomPartitioner.partition(forKey: Array(room.utf8), partitionCount: try await reader.partitionCount(of: topics.inputs))
    }

    /// The room's recording: its first life in the log, from its first join or from its latest checkpoint.
    /// - Parameters:
    ///   - fromCheckpoint: start from the room's latest checkpoint rather than its first join.
    ///   - progress: reports long reads.
    /// - Throws: `ReplayError.unknownRoom` if the log holds no tick of the room (or no checkpoint, with
    ///   `fromCheckpoint`), `clusterUnreachable`, `stalled`.
    public func recording(room: String, fromCheckpoint: Bool, progress: (ReadProgress) -> Void = { _ in }) async throws -> RoomRecording {
        let partition = try await partition(of: room)
        let key = Array(room.utf8)
        let checkpoints = try await checkpoints(of: room, partition: partition, progress: progress)
        let checkpoint = fromCheckpoint ? checkpoints.last : nil
        if fromCheckpoint, checkpoint == nil {
            throw ReplayError.unknownRoom("room \(room) has no checkpoint in \(topics.checkpoints)[\(partition)] (or it closed since): verify from its start instead")
        }

        let inputPartition = TopicPartition(topic: topics.inputs, partition: partition)
        var inputRange = try await reader.offsets(of: .all, in: inputPartition, strict: false)
        if let checkpoint {
            inputRange = max(inputRange.lowerBound, checkpoint.nextInputOffset)..<max(inputRange.upperBound, checkpoint.nextInputOffset)
        }
        var inputs: [ConsumerRecord] = []
        try await reader.read(inputPartition, offsets: inputRange, progress: progress) { record in
            if record.key == key { inputs.append(record) }
        }

        let statePartition = TopicPartition(topic: topics.state, partition: partition)
        var stateRange = try await reader.offsets(of: .all, in: statePartition, strict: false)
        if let checkpoint {
            // The state record of the checkpoint's tick was published shortly before the checkpoint.
            let recent = try await reader.offsets(of: ReadRange(since: checkpoint.takenAtMs - 60_000), in: statePartition, strict: false)
            stateRange = recent.lowerBound..<stateRange.upperBound
        }
        var states: [ConsumerRecord] = []
        try await reader.read(statePartition, offsets: stateRange, progress: progress) { record in
            if record.key == key { states.append(record) }
        }

        guard var recording = RoomRecording(room: room, partition: partition, inputs: inputs, states: states, checkpoint: checkpoint) else {
            if inputs.isEmpty && states.isEmpty {
                throw ReplayError.unknownRoom("room \(room) has no records in \(topics.inputs)[\(partition)] or \(topics.state)[\(partition)]: `tickstream replay rooms` lists the rooms")
            }
            throw ReplayError.unknownRoom("room \(room) has \(inputs.count) input records but no state record \(checkpoint == nil ? "of its first tick" : "after its checkpoint at tick \(checkpoint!.tick)") in \(topics.state)[\(partition)]")
        }
        if let latest = checkpoints.last {
            recording.rulesName = latest.rulesName
            recording.rulesVersion = latest.rulesVersion
        }
        return recording
    }

    /// The checkpoints of `room` in its checkpoints partition, oldest first; a room that closed since has none.
    private func checkpoints(of room: String, partition: Int32, progress: (ReadProgress) -> Void) async throws -> [Checkpoint] {
        let key = Array(room.utf8)
        let checkpointPartition = TopicPartition(topic: topics.checkpoints, partition: partition)
        var checkpoints: [Checkpoint] = []
        try await reader.read(checkpointPartition, offsets: try await reader.offsets(of: .all, in: checkpointPartition, strict: false), progress: progress) { record in
            guard record.key == key else { return }
            if record.value.isEmpty {
                checkpoints.removeAll()  // a tombstone: the room closed
            } else if let checkpoint = try? Checkpoint(serializedBytes: record.value) {
                checkpoints.append(checkpoint)
            }
        }
        return checkpoints
    }
}
