import CoreMetrics
import Logging
import TickstreamKafka
import TickstreamProtocol

/// Samples how far the worker is behind on each input partition it owns, as gauges labelled by worker and partition.
///
/// Two figures per partition: records not yet consumed (high watermark − consumed position: the simulation's real
/// backlog) and records not yet committed (high watermark − group commit: what a new owner would re-read; it stays
/// around a checkpoint interval's worth of inputs by design, since commits follow delivered checkpoints).
struct LagSampler {
    let configuration: WorkerConfiguration
    let consumer: KafkaConsumer
    let host: RoomHost
    let logger: Logger

    /// Samples every ``WorkerConfiguration/lagSampleInterval`` until cancelled; then zeroes the gauges it set, since
    /// the partitions are no longer this worker's.
    func run() async {
        var reported: Set<Int32> = []
        while !Task.isCancelled {
            reported = await sample(previouslyReported: reported)
            try? await Task.sleep(for: configuration.lagSampleInterval)
        }
        for partition in reported {
            gauges(partition).consumed.record(0)
            gauges(partition).committed.record(0)
        }
    }

    /// One sample; returns the partitions it reported.
    private func sample(previouslyReported: Set<Int32>) async -> Set<Int32> {
        let positions = await host.consumedPositions
        let topic = configuration.topics.inputs
        // Partitions given up since the last sample are another worker's now: this one is no longer behind on them.
        for partition in previouslyReported where positions[partition] == nil {
            gauges(partition).consumed.record(0)
            gauges(partition).committed.record(0)
        }
        guard !positions.isEmpty else { return [] }
        do {
            let committed = try await consumer.committed(
                positions.keys.map { TopicPartition(topic: topic, partition: $0) },
                timeout: configuration.lagSampleInterval
            )
            for entry in committed {
                // As of the latest fetch, not asked of the broker: on the embedded cluster each round of such queries
                // raised every room's latency for a moment (README, Performance).
                let (low, high) = try consumer.fetchedWatermarks(topic: topic, partition: entry.partition)
                guard let high else { continue }
                // No commit yet: the group would start over from the oldest record (0 when its offset is not known).
                let committedOffset = entry.offset >= 0 ? entry.offset : (low ?? 0)
                // Right after a takeover nothing is consumed yet: the consumer starts at the commit.
                let consumedOffset = max(positions[entry.partition] ?? 0, committedOffset)
                gauges(entry.partition).consumed.record(max(0, high - consumedOffset))
                gauges(entry.partition).committed.record(max(0, high - committedOffset))
            }
        } catch {
            logger.debug("lag not sampled", metadata: ["error": "\(error)"])
        }
        return Set(positions.keys)
    }

    private func gauges(_ partition: Int32) -> (consumed: Gauge, committed: Gauge) {
        let dimensions = [("worker", configuration.workerID), ("partition", "\(partition)")]
        return (
            Gauge(label: "tickstream_worker_input_lag_records", dimensions: dimensions),
            Gauge(label: "tickstream_worker_committed_lag_records", dimensions: dimensions)
        )
    }
}
