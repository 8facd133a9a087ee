import CoreMetrics
import Foundation
import Logging
import SwiftProtobuf
import TickstreamKafka
import TickstreamProtocol

/// The live rooms of the whole cluster, for `GET /v1/rooms`: read on demand from the tail of `<prefix>.checkpoints`
/// (the latest checkpoint of each room; a tombstone means it closed) and served from a cache for a moment.
///
/// Each read uses a short-lived consumer without a group, so a gateway follows no partition for the list between
/// reads; concurrent requests share one read.
actor RoomDirectory {
    /// The state of one partition's tail while it is read: the offsets to read, how far the read got.
    private struct Tail: Sendable {
        let offsets: Range<Int64>
        var next: Int64
    }

    private struct ReadTimedOut: Error, CustomStringConvertible {
        let limit: Duration
        var description: String { "the checkpoints were not read within \(limit)" }
    }

    private let consumerConfiguration: KafkaConsumerConfiguration
    private let producer: KafkaProducer
    private let topic: String
    private let configuration: RoomListConfiguration
    private let metrics: GatewayMetrics
    private let logger: Logger

    private var cached: (listing: RoomListing, at: ContinuousClock.Instant)?
    private var reading = false
    private var waiters: [CheckedContinuation<Result<RoomListing, any Error>, Never>] = []

    /// - Parameters:
    ///   - consumerConfiguration: For the consumer of each read (no group).
    ///   - producer: Asked for the topic's partition count.
    init(
        consumerConfiguration: KafkaConsumerConfiguration,
        producer: KafkaProducer,
        topic: String,
        configuration: RoomListConfiguration,
        metrics: GatewayMetrics,
        logger: Logger
    ) {
        self.consumerConfiguration = consumerConfiguration
        self.producer = producer
        self.topic = topic
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// The live rooms, at most ``RoomListConfiguration/cacheDuration`` old.
    ///
    /// - Throws: the Kafka error, or a timeout, of a read that did not complete.
    func listing() async throws -> RoomListing {
        if let cached, ContinuousClock.now - cached.at < configuration.cacheDuration {
            return cached.listing
        }
        guard !reading else {
            return try await withCheckedContinuation { waiters.append($0) }.get()
        }
        reading = true
        let result: Result<RoomListing, any Error>
        do {
            result = .success(try await read())
            metrics.roomListReads.increment()
        } catch {
            result = .failure(error)
            metrics.roomListFailures.increment()
            logger.warning("Could not read the room list", metadata: ["topic": "\(topic)", "error": "\(error)"])
        }
        if case .success(let listing) = result {
            cached = (listing, .now)
        }
        reading = false
        let waiting = waiters
        waiters = []
        for waiter in waiting {
            waiter.resume(returning: result)
        }
        return try result.get()
    }

    /// Reads the tail of every checkpoints partition with a consumer of its own.
    private func read() async throws -> RoomListing {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        do {
            let listing = try await read(with: consumer)
            await consumer.close()
            return listing
        } catch {
            await consumer.close()
            throw error
        }
    }

    private func read(with consumer: KafkaConsumer) async throws -> RoomListing {
        let timeout = configuration.readTimeout
        let count = try await producer.partitionCount(topic: topic, timeout: timeout)
        var tails: [Int32: Tail] = [:]
        for partition in 0..<count {
            let (low, high) = try await consumer.watermarks(topic: topic, partition: partition, timeout: timeout)
            let start = max(low, high - Int64(configuration.recordsPerPartition))
            if start < high {
                tails[partition] = Tail(offsets: start..<high, next: start)
            }
        }
        guard !tails.isEmpty else { return RoomListing(rooms: [], truncated: false) }
        try await consumer.assign(tails.map { TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value.next) })
        let collected = await withTaskGroup(of: [String: RoomListing.Room]?.self) { [consumer, topic, tails] group in
            group.addTask { await Self.collect(tails, topic: topic, from: consumer) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        guard let latest = collected else { throw ReadTimedOut(limit: timeout) }
        let (seconds, attoseconds) = configuration.staleAfter.components
        let oldest = Int64((Date().timeIntervalSince1970 * 1000).rounded()) - seconds * 1000 - attoseconds / 1_000_000_000_000_000
        let live = latest.values.filter { $0.updated >= oldest }.sorted {
            ($0.players, $1.room) > ($1.players, $0.room)
        }
        return RoomListing(rooms: Array(live.prefix(configuration.maxRooms)), truncated: live.count > configuration.maxRooms)
    }

    /// Reads records until every tail is read; returns each room's latest checkpoint. A room's records share a
    /// partition and arrive in offset order, so the last one read wins; a tombstone removes the room.
    private static func collect(_ tails: [Int32: Tail], topic: String, from consumer: KafkaConsumer) async -> [String: RoomListing.Room] {
        var tails = tails
        var latest: [String: RoomListing.Room] = [:]
        for await record in consumer.messages {
            guard record.topic == topic, var tail = tails[record.partition], tail.offsets.contains(record.offset) else { continue }
            latest[String(decoding: record.key ?? [], as: UTF8.self)] = summary(of: record)
            tail.next = record.offset + 1
            tails[record.partition] = tail.next >= tail.offsets.upperBound ? nil : tail
            if tails.isEmpty { break }
        }
        return latest
    }

    /// The room a checkpoint describes; nil for a tombstone (the room closed) or an undecodable record.
    private static func summary(of record: ConsumerRecord) -> RoomListing.Room? {
        guard !record.value.isEmpty, let checkpoint = try? Checkpoint(serializedBytes: record.value) else { return nil }
        return RoomListing.Room(
            room: checkpoint.room,
            tick: checkpoint.tick,
            players: checkpoint.players.count,
            updated: checkpoint.takenAtMs
        )
    }
}
