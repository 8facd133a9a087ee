import Logging
import SwiftProtobuf
import TickstreamKafka
import TickstreamProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a new owner of an input partition needs to resume its rooms.
struct RestoredPartition: Sendable {
    let partition: Int32
    /// The latest checkpoint of each room of the partition that has not closed.
    var checkpoints: [String: Checkpoint] = [:]
    /// By room: the ticks recorded after its checkpoint (or from its start), in tick order.
    var recordedTicks: [String: [RecordedTick]] = [:]
}

/// Reads a partition's checkpoints and recent state records, for a worker taking the partition over.
struct PartitionRestorer: Sendable {
    let configuration: WorkerConfiguration
    let logger: Logger

    /// How far before the oldest checkpoint to start reading state records, to be sure to see every tick after it.
    private var stateLookBack: Duration {
        configuration.tickPeriod * Int(configuration.checkpointInterval) + .seconds(5)
    }

    /// Reads `partition` and hands it to `adopt`, then closes the consumer it read with: a close takes up to the
    /// consumer's 100 ms poll timeout, which the rooms need not wait for.
    func restore(partition: Int32, adopt: (RestoredPartition) async -> Void) async throws {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: configuration.bootstrapServers,
                fetchWaitMax: configuration.fetchWaitMax,
                properties: configuration.kafkaProperties
            ),
            logger: logger
        )
        do {
            await adopt(try await restore(partition: partition, with: consumer))
            await consumer.close()
        } catch {
            await consumer.close()
            throw error
        }
    }

    private func restore(partition: Int32, with consumer: KafkaConsumer) async throws -> RestoredPartition {
        var restored = RestoredPartition(partition: partition)

        let checkpoints = TopicPartition(topic: configuration.topics.checkpoints, partition: partition)
        try await read(checkpoints, from: nil, with: consumer) { record in
            let room = String(decoding: record.key ?? [], as: UTF8.self)
            if record.value.isEmpty {
                restored.checkpoints[room] = nil  // a tombstone: the room closed
            } else if let checkpoint = try? Checkpoint(serializedBytes: record.value) {
                restored.checkpoints[room] = checkpoint
            } else {
                logger.error("undecodable checkpoint skipped", metadata: ["room": "\(room)", "offset": "\(record.offset)"])
            }
        }

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let oldest = restored.checkpoints.values.map(\.takenAtMs).min() ?? now
        let since = min(oldest, now) - stateLookBack.wholeMilliseconds
        let state = TopicPartition(topic: configuration.topics.state, partition: partition)
        try await read(state, from: since, with: consumer) { record in
            guard let state = try? StateRecord(serializedBytes: record.value) else { return }
            if state.closed {
                restored.recordedTicks[state.room] = nil
                return
            }
            if let checkpoint = restored.checkpoints[state.room], state.tick <= checkpoint.tick { return }
            let tick = RecordedTick(tick: state.tick, inputWatermark: state.inputWatermark, stateHash: state.stateHash, epoch: state.workerEpoch)
            var ticks = restored.recordedTicks[state.room] ?? []
            // Readers keep the highest tick: a duplicate or older tick (a previous owner's) replaces what follows it.
            ticks.removeAll { $0.tick >= tick.tick && $0.epoch <= tick.epoch }
            if ticks.last.map({ $0.tick < tick.tick }) ?? true {
                ticks.append(tick)
            }
            restored.recordedTicks[state.room] = ticks
        }
        logger.info("partition restored", metadata: [
            "partition": "\(partition)", "checkpoints": "\(restored.checkpoints.count)",
            "recordedTicks": "\(restored.recordedTicks.values.map(\.count).reduce(0, +))",
        ])
        return restored
    }

    /// Reads `partition` from the offset at `timestamp` (nil: from the beginning) to its current end.
    private func read(
        _ partition: TopicPartition,
        from timestamp: Int64?,
        with consumer: KafkaConsumer,
        _ body: (ConsumerRecord) -> Void
    ) async throws {
        let (low, high) = try await consumer.watermarks(topic: partition.topic, partition: partition.partition)
        guard high > low else { return }
        var start = low
        if let timestamp {
            let found = try await consumer.offsets(forTimestamp: timestamp, partitions: [partition]).first?.offset ?? -1
            start = found < 0 ? low : max(found, low)
        }
        guard start < high else { return }
        try await consumer.assign([TopicPartitionOffset(partition, offset: start)])
        for await record in consumer.messages {
            // The consumer read the checkpoints first: records it prefetched for them may still be buffered.
            guard record.topic == partition.topic, record.partition == partition.partition else { continue }
            if record.offset < high { body(record) }
            if record.offset >= high - 1 { return }
        }
        // The records ended early (the task was cancelled or the consumer closed): what was read is not the whole story.
        try Task.checkCancellation()
        throw RestoreError(partition: partition, end: high)
    }
}

/// A partition's records stopped before its end, so its rooms cannot be restored from them.
struct RestoreError: Error, CustomStringConvertible {
    let partition: TopicPartition
    let end: Int64

    var description: String {
        "the records of \(partition) ended before offset \(end)"
    }
}
