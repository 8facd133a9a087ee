import SwiftProtobuf
import TickstreamKafka
import TickstreamProtocol

extension KafkaRoomSource {
    /// The rooms with records in `range` of the inputs and state topics, sorted by name.
    /// - Parameter partition: read only this partition index; nil: every partition.
    /// - Throws: `ReplayError.offsetOutOfRange` for an offset outside a single partition's records.
    public func rooms(in range: ReadRange, partition: Int32? = nil, progress: (ReadProgress) -> Void = { _ in }) async throws -> [RoomSummary] {
        let count = try await reader.partitionCount(of: topics.inputs)
        let partitions = partition.map { [$0] } ?? Array(0..<count)
        var summaries: [String: RoomSummary] = [:]
        var players: [String: Set<String>] = [:]
        for index in partitions {
            let inputs = TopicPartition(topic: topics.inputs, partition: index)
            try await reader.read(inputs, offsets: try await reader.offsets(of: range, in: inputs, strict: partition != nil), progress: progress) { record in
                guard let input = try? InputRecord(serializedBytes: record.value) else { return }
                summaries[input.room, default: RoomSummary(room: input.room, partition: index)].inputRecords += 1
                players[input.room, default: []].insert(input.player)
            }
            let states = TopicPartition(topic: topics.state, partition: index)
            try await reader.read(states, offsets: try await reader.offsets(of: range, in: states, strict: partition != nil), progress: progress) { record in
                guard let state = try? StateRecord(serializedBytes: record.value) else { return }
                var summary = summaries[state.room] ?? RoomSummary(room: state.room, partition: index)
                summary.stateRecords += 1
                summary.firstTick = min(summary.firstTick ?? state.tick, state.tick)
                summary.lastTick = max(summary.lastTick ?? state.tick, state.tick)
                if state.closed { summary.closes += 1 }
                summaries[state.room] = summary
                players[state.room, default: []].formUnion(state.players.map(\.player))
            }
        }
        return summaries.values.map { summary in
            var summary = summary
            summary.players = (players[summary.room] ?? []).sorted()
            return summary
        }.sorted { $0.room < $1.room }
    }
}
