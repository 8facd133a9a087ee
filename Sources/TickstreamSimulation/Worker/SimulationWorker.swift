public import Logging
import Metrics
public import ServiceLifecycle
import SwiftProtobuf
public import TickstreamKafka
import TickstreamProtocol
import TickstreamRules

/// A simulation worker: a member of the consumer group on the inputs topic that runs the rooms of its
/// partitions and writes their states and checkpoints.
///
/// On SIGTERM (graceful shutdown) it stops ticking, checkpoints every room, commits, and leaves the
/// group. Cancelled without a graceful shutdown it just stops, as a crashed worker would: the next
/// owner restores the rooms from their last checkpoints and the ticks recorded since.
public struct SimulationWorker: Service {
    public let configuration: WorkerConfiguration
    private let producer: KafkaProducer?
    private let logger: Logger

    /// - Parameters:
    ///   - producer: The producer to write states and checkpoints with, for a process that runs a gateway too (one
    ///     Kafka client instead of two). Its owner shuts it down after the worker has stopped. Nil (the default):
    ///     the worker makes its own and shuts it down when it stops.
    public init(configuration: WorkerConfiguration, producer: KafkaProducer? = nil, logger: Logger) {
        self.configuration = configuration
        self.producer = producer
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        self.logger = logger
    }

    public func run() async throws {
        let producer = try self.producer ?? KafkaProducer(
            configuration: KafkaProducerConfiguration(
                bootstrapServers: configuration.bootstrapServers,
                clientID: configuration.workerID,
                properties: configuration.kafkaProperties
            ),
            logger: logger
        )
        let ownsProducer = self.producer == nil
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(
                configuration: KafkaConsumerConfiguration(
                    bootstrapServers: configuration.bootstrapServers,
                    groupID: configuration.topics.workerGroup,
                    clientID: configuration.workerID,
                    fetchWaitMax: configuration.fetchWaitMax,
                    revocationTimeout: configuration.revocationTimeout,
                    properties: configuration.kafkaProperties
                ),
                logger: logger
            )
            try await consumer.subscribe(topics: [configuration.topics.inputs])
        } catch {
            if ownsProducer { await producer.shutdown(flushTimeout: .seconds(1)) }
            throw error
        }
        await learnOutputTopics(producer: producer)
        let host = RoomHost(configuration: configuration, producer: producer, logger: logger)
        logger.info("worker started", metadata: ["group": "\(configuration.topics.workerGroup)", "rules": "\(configuration.rules.name)"])

        await withDiscardingTaskGroup { group in
            group.addTask { await consumeInputs(consumer: consumer, producer: producer, host: host) }
            group.addTask { await runTicks(host: host) }
            group.addTask { await writeCheckpoints(producer: producer, consumer: consumer, host: host) }
            group.addTask { await LagSampler(configuration: configuration, consumer: consumer, host: host, logger: logger).run() }
            group.addTask {
                for await failure in producer.deliveryFailures {
                    logger.error("record not delivered", metadata: ["topic": "\(failure.record.topic)", "error": "\(failure.error)"])
                }
            }
            // Runs until graceful shutdown begins, or until this task is cancelled (a crash, as far as the log can tell).
            try? await gracefulShutdown()
            group.cancelAll()
        }

        if !Task.isCancelled {
            let checkpoints = await host.checkpointAll()
            let delivered = await deliverFinal(checkpoints, producer: producer, consumer: consumer, host: host)
            if delivered < checkpoints.count {
                logger.warning("worker stopped without some final checkpoints; their rooms resume from earlier ones", metadata: [
                    "checkpoints": "\(checkpoints.count)", "delivered": "\(delivered)", "timeout": "\(configuration.shutdownTimeout)",
                ])
            } else {
                logger.info("worker stopped", metadata: ["checkpoints": "\(checkpoints.count)"])
            }
        }
        // A crash leaves no goodbye: the group moves the rooms once the worker's session times out.
        await consumer.close(leavingGroup: !Task.isCancelled)
        if ownsProducer { await producer.shutdown(flushTimeout: .seconds(5)) }
    }

    /// Makes the topics the worker writes known to its producer before a room opens, however long before.
    ///
    /// librdkafka holds the records of a topic it knows nothing of until its next topic scan, once a second: a
    /// worker in a process of its own sent its first rooms' first states 0.6–0.8 s late, and their players waited
    /// that long for their first snapshot. (In `serve` the gateway's lookups through the shared producer hid it.)
    private func learnOutputTopics(producer: KafkaProducer) async {
        let topics = [configuration.topics.state, configuration.topics.checkpoints]
        do {
            try await producer.learn(topics: topics)
        } catch {
            logger.warning("output topics not known yet: the first records may wait for them", metadata: ["topics": "\(topics)", "error": "\(error)"])
        }
    }

    /// Feeds input records to the host and answers the group's assignments and revocations.
    private func consumeInputs(consumer: KafkaConsumer, producer: KafkaProducer, host: RoomHost) async {
        let restorer = PartitionRestorer(configuration: configuration, logger: logger)
        for await event in consumer.events {
            switch event {
            case .message(let record):
                await host.receive(record)
            case .assigned(let partitions):
                await restore(partitions.map(\.partition), with: restorer, into: host)
            case .revoked(let partitions, let acknowledgement):
                let release = await host.release(partitions: Set(partitions.map(\.partition)))
                if let acknowledgement {
                    if !Task.isCancelled {
                        await deliver(release.checkpoints, producer: producer, consumer: consumer, commits: release.commits)
                    }
                    acknowledgement.acknowledge()
                }
            case .error(let error):
                logger.warning("kafka consumer error", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { break }
        }
    }

    /// Restores `partitions` a few at a time, adopting each as soon as it is read.
    ///
    /// A restore mostly waits on the cluster (a consumer of its own, watermarks, a fetch to the end of two
    /// partitions), so one after another the rooms of the last partition would wait for all the others; the bound
    /// keeps a worker assigned many partitions from opening a Kafka client for each at once.
    private func restore(_ partitions: [Int32], with restorer: PartitionRestorer, into host: RoomHost) async {
        await withTaskGroup(of: Void.self) { group in
            for (index, partition) in partitions.enumerated() {
                if index >= configuration.concurrentRestores {
                    await group.next()
                }
                group.addTask { await restoreRetrying(partition, with: restorer, into: host) }
            }
        }
    }

    /// Restores `partition`, trying again after each failure until it is restored or the worker stops.
    ///
    /// Without its checkpoints the partition's rooms would start over, so there is nothing better to do than wait
    /// for the cluster: the partition's inputs wait in Kafka meanwhile, and the process stays up for its other
    /// rooms (and, in `serve`, for the gateway it shares the process with).
    private func restoreRetrying(_ partition: Int32, with restorer: PartitionRestorer, into host: RoomHost) async {
        let failures = Counter(label: "tickstream_worker_restore_failures_total", dimensions: [("worker", configuration.workerID)])
        var pause = Self.firstRestoreRetry
        while true {
            do {
                try await restorer.restore(partition: partition) { await host.adopt($0) }
                return
            } catch {
                if Task.isCancelled { return }
                failures.increment()
                logger.error("could not restore partition; retrying", metadata: [
                    "partition": "\(partition)", "error": "\(error)", "retryIn": "\(pause)",
                ])
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, Self.longestRestoreRetry)
            }
        }
    }

    private static let firstRestoreRetry = Duration.milliseconds(250)
    private static let longestRestoreRetry = Duration.seconds(5)

    /// Ticks the rooms at their deadlines until cancelled.
    private func runTicks(host: RoomHost) async {
        let clock = ContinuousClock()
        let idleWait = configuration.tickPeriod
        while !Task.isCancelled {
            let now = clock.now
            let next = await host.tickDueRooms(now: now)
            let wake = min(next ?? now.advanced(by: idleWait), now.advanced(by: idleWait))
            try? await clock.sleep(until: wake, tolerance: nil)
        }
    }

    /// Sends the checkpoints the host takes, and commits the input offsets they cover.
    private func writeCheckpoints(producer: KafkaProducer, consumer: KafkaConsumer, host: RoomHost) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.tickPeriod)
            let checkpoints = await host.takePendingCheckpoints()
            await deliver(checkpoints, producer: producer, consumer: consumer, host: host)
        }
    }

    /// Sends `checkpoints`, then commits what the delivered ones cover; returns how many were delivered.
    @discardableResult
    private func deliver(_ checkpoints: [RoomCheckpoint], producer: KafkaProducer, consumer: KafkaConsumer, host: RoomHost) async -> Int {
        var commits: [Int32: TopicPartitionOffset] = [:]
        let delivered = await send(checkpoints, producer: producer)
        for checkpoint in delivered {
            if let offset = await host.checkpointDelivered(checkpoint) {
                commits[offset.partition] = offset
            }
        }
        await commit(Array(commits.values), consumer: consumer)
        return delivered.count
    }

    /// Delivers the final checkpoints, but stops waiting for Kafka after ``WorkerConfiguration/shutdownTimeout``:
    /// with the cluster gone, each send would wait out the producer's whole delivery timeout.
    private func deliverFinal(_ checkpoints: [RoomCheckpoint], producer: KafkaProducer, consumer: KafkaConsumer, host: RoomHost) async -> Int {
        await withTaskGroup(of: Int?.self) { group in
            group.addTask { await deliver(checkpoints, producer: producer, consumer: consumer, host: host) }
            group.addTask {
                try? await Task.sleep(for: configuration.shutdownTimeout)
                return nil
            }
            var delivered = 0
            for await result in group {
                // Whichever ends first, the other is done with: a cancelled delivery returns what it had.
                group.cancelAll()
                if let result { delivered = result }
            }
            return delivered
        }
    }

    /// Sends the checkpoints of released partitions; commits only if every one was delivered.
    private func deliver(_ checkpoints: [RoomCheckpoint], producer: KafkaProducer, consumer: KafkaConsumer, commits: [TopicPartitionOffset]) async {
        if await send(checkpoints, producer: producer).count == checkpoints.count {
            await commit(commits, consumer: consumer)
        }
    }

    /// Sends `checkpoints` at once, so that they share batches and one delivery wait (a shutdown with the broker
    /// gone waits one delivery timeout, not one per room); returns those delivered.
    private func send(_ checkpoints: [RoomCheckpoint], producer: KafkaProducer) async -> [RoomCheckpoint] {
        await withTaskGroup(of: RoomCheckpoint?.self) { group in
            for checkpoint in checkpoints {
                group.addTask { await send(checkpoint, producer: producer) ? checkpoint : nil }
            }
            var delivered: [RoomCheckpoint] = []
            for await checkpoint in group {
                if let checkpoint { delivered.append(checkpoint) }
            }
            return delivered
        }
    }

    private func send(_ checkpoint: RoomCheckpoint, producer: KafkaProducer) async -> Bool {
        do {
            let value: [UInt8] = try checkpoint.record.serializedBytes()
            _ = try await producer.send(ProducerRecord(
                topic: configuration.topics.checkpoints, partition: checkpoint.partition,
                key: Array(checkpoint.record.room.utf8), value: value
            ))
            return true
        } catch is CancellationError {
            return false  // stopping: the caller tells
        } catch {
            logger.error("checkpoint not delivered", metadata: ["room": "\(checkpoint.record.room)", "tick": "\(checkpoint.record.tick)", "error": "\(error)"])
            return false
        }
    }

    private func commit(_ offsets: [TopicPartitionOffset], consumer: KafkaConsumer) async {
        guard !offsets.isEmpty else { return }
        do {
            try await consumer.commit(offsets)
        } catch {
            logger.warning("commit failed; the next owner re-reads a little more", metadata: ["error": "\(error)"])
        }
    }
}
