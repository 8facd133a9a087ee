import CoreMetrics
import Logging
import ServiceLifecycle
import SwiftProtobuf
import TickstreamKafka
import TickstreamProtocol
import TickstreamRules

/// Follows `<prefix>.state` for the rooms that have sessions here and hands each session what it is due.
///
/// One consumer without a group reads exactly the partitions that hold such rooms: a partition is added, at its
/// high watermark, before the first local join of one of its rooms is logged (so the join's state is not
/// missed), and removed when its last local session leaves. Each new tick of a room is encoded once per distinct
/// client baseline and put in the clients' outboxes; the broadcaster never waits for a client.
actor Broadcaster: Service {
    /// A session of a room, and whether its join completed (the worker admitted it; a spectator at the first state).
    private struct Member {
        let session: Session
        var welcomed: Bool
        let resumeTick: UInt64
        /// Watches without playing: welcomed by the gateway itself, never addressed by the worker's events.
        let spectating: Bool
    }

    /// A followed room.
    private final class Feed {
        var history: RoomHistory
        var members: [UInt64: Member] = [:]
        /// The last applied input sequence of every player, from the latest record.
        var lastApplied: [PlayerID: UInt64] = [:]

        init(historyLength: Int) {
            self.history = RoomHistory(capacity: historyLength)
        }
    }

    /// Why a subscription was refused.
    enum Refusal: Error {
        /// The room already has `maxPlayers` players on this gateway (spectators do not count).
        case roomFull
    }

    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let topic: String
    private let rules: any GameRules
    private let historyLength: Int
    private let metrics: GatewayMetrics
    private let logger: Logger

    private var feeds: [String: Feed] = [:]
    /// Local sessions per followed partition.
    private var followers: [Int32: Int] = [:]
    private var partitionCount: Int32?
    /// Assignment changes run one at a time, in call order, so that an add and a remove never cross.
    private var assignmentBusy = false
    private var assignmentQueue: [CheckedContinuation<Void, Never>] = []

    init(
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        topic: String,
        rules: any GameRules,
        historyLength: Int,
        metrics: GatewayMetrics,
        logger: Logger
    ) {
        self.consumer = consumer
        self.producer = producer
        self.topic = topic
        self.rules = rules
        self.historyLength = historyLength
        self.metrics = metrics
        self.logger = logger
    }

    /// The most sessions a room may have on this gateway.
    nonisolated var maxPlayers: Int { rules.maxPlayers }

    /// Reads state records until graceful shutdown.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await event in self.consumer.events {
                switch event {
                case .message(let record):
                    await self.handle(record)
                case .error(let error):
                    self.logger.debug("State consumer error", metadata: ["kafka.error": "\(error)"])
                case .assigned, .revoked:
                    break
                }
            }
        }
    }

    /// Makes `session` a member of `room`, following its partition first; a spectator is welcomed at the room's
    /// next state record.
    ///
    /// - Throws: ``Refusal/roomFull``, or the Kafka error that kept the partition from being followed.
    func subscribe(_ session: Session, room: String, resumeTick: UInt64, spectating: Bool = false) async throws {
        let feed = feeds[room] ?? Feed(historyLength: historyLength)
        guard spectating || feed.members.values.count(where: { !$0.spectating }) < rules.maxPlayers else { throw Refusal.roomFull }
        feeds[room] = feed
        feed.members[session.id] = Member(session: session, welcomed: false, resumeTick: resumeTick, spectating: spectating)
        session.acknowledge(resumeTick)
        do {
            try await follow(partition(of: room))
        } catch {
            removeMember(session.id, from: room)
            throw error
        }
    }

    /// Ends `session`'s membership of `room`.
    func unsubscribe(_ session: Session, room: String) async {
        guard removeMember(session.id, from: room), let partitionCount else { return }
        await unfollow(RoomPartitioner.partition(forKey: Array(room.utf8), partitionCount: partitionCount))
    }

    /// Whether `player` was in `room` at the latest tick seen; nil when no state of the room was seen yet.
    func isPlayer(_ player: PlayerID, in room: String) -> Bool? {
        guard let feed = feeds[room], feed.history.latestTick != 0 else { return nil }
        return feed.lastApplied[player] != nil
    }

    @discardableResult
    private func removeMember(_ id: UInt64, from room: String) -> Bool {
        guard let feed = feeds[room], feed.members.removeValue(forKey: id) != nil else { return false }
        if feed.members.isEmpty {
            feeds[room] = nil
        }
        return true
    }

    // MARK: Partitions

    /// The index of `room`'s partition, the same in the inputs and state topics.
    private func partition(of room: String) async throws -> Int32 {
        if partitionCount == nil {
            partitionCount = try await producer.partitionCount(topic: topic)
        }
        return RoomPartitioner.partition(forKey: Array(room.utf8), partitionCount: partitionCount!)
    }

    private func follow(_ partition: Int32) async throws {
        await lockAssignment()
        defer { unlockAssignment() }
        if let count = followers[partition] {
            followers[partition] = count + 1
            return
        }
        let (_, high) = try await consumer.watermarks(topic: topic, partition: partition)
        try await consumer.addAssignment([TopicPartitionOffset(topic: topic, partition: partition, offset: high)])
        followers[partition] = 1
        logger.debug("Following state partition", metadata: ["partition": "\(partition)", "offset": "\(high)"])
    }

    private func unfollow(_ partition: Int32) async {
        await lockAssignment()
        defer { unlockAssignment() }
        guard let count = followers[partition] else { return }
        guard count == 1 else {
            followers[partition] = count - 1
            return
        }
        followers[partition] = nil
        do {
            try await consumer.removeAssignment([TopicPartition(topic: topic, partition: partition)])
            logger.debug("Stopped following state partition", metadata: ["partition": "\(partition)"])
        } catch {
            logger.warning("Could not stop following a state partition", metadata: ["partition": "\(partition)", "error": "\(error)"])
        }
    }

    private func lockAssignment() async {
        guard assignmentBusy else {
            assignmentBusy = true
            return
        }
        await withCheckedContinuation { assignmentQueue.append($0) }
    }

    private func unlockAssignment() {
        if assignmentQueue.isEmpty {
            assignmentBusy = false
        } else {
            assignmentQueue.removeFirst().resume()
        }
    }

    // MARK: State records

    private func handle(_ consumerRecord: ConsumerRecord) async {
        metrics.stateRecordRead(createdAtMs: consumerRecord.timestamp)
        let record: StateRecord
        do {
            record = try StateRecord(serializedBytes: consumerRecord.value)
        } catch {
            logger.warning("Undecodable state record", metadata: ["offset": "\(consumerRecord.offset)", "error": "\(error)"])
            return
        }
        guard let feed = feeds[record.room] else { return }
        let outcome = feed.history.apply(record, schema: rules.schema)
        if case .stale = outcome { return }
        feed.lastApplied = Dictionary(
            record.players.map { ($0.player, $0.lastAppliedSequence) },
            uniquingKeysWith: { _, last in last }
        )
        let rejected = deliverEvents(of: record, to: feed)
        for (id, member) in feed.members where member.spectating && !member.welcomed {
            feed.members[id]?.welcomed = true
            welcome(member, entity: 0, record: record)
        }
        if case .state(let entities) = outcome {
            deliverSnapshot(entities, tick: record.tick, to: feed)
        }
        if record.closed {
            feed.history.reset()
        }
        for session in rejected {
            await unsubscribe(session, room: record.room)
        }
    }

    /// Hands the tick's events to the members concerned; returns the sessions whose join the worker refused.
    private func deliverEvents(of record: StateRecord, to feed: Feed) -> [Session] {
        var rejected: [Session] = []
        for event in record.events {
            switch event.event {
            case .joined(let joined):
                for (id, member) in feed.members {
                    if member.session.player == joined.player && !member.spectating {
                        guard !member.welcomed else { continue }
                        feed.members[id]?.welcomed = true
                        welcome(member, entity: joined.entity, record: record)
                    } else if member.welcomed {
                        member.session.outbox.send(.playerJoined(joined.player, entity: joined.entity))
                    }
                }
            case .joinRejected(let refusal):
                for member in feed.members.values
                where member.session.player == refusal.player && !member.welcomed && !member.spectating {
                    member.session.withStateMachine { $0.joinFailed(room: record.room) }
                    member.session.outbox.send(.error(.joinRejected, refusal.reason))
                    metrics.errorSent(.joinRejected, forInput: false)
                    rejected.append(member.session)
                }
            case .left(let left):
                for member in feed.members.values where member.welcomed && member.session.player != left.player {
                    member.session.outbox.send(.playerLeft(left.player, dropped: left.dropped))
                }
            case .relay(let relay):
                for member in feed.members.values
                where member.welcomed && !member.spectating && member.session.player == relay.toPlayer {
                    member.session.outbox.send(.relay(from: relay.fromPlayer, kind: relay.kind, payload: relay.payload))
                }
            case nil:
                break
            }
        }
        return rejected
    }

    private func welcome(_ member: Member, entity: UInt32, record: StateRecord) {
        let session = member.session
        session.outbox.send(.welcome(player: session.player, room: record.room, entity: entity, tickRate: record.tickRate, rules: rules))
        logger.info("Player joined", metadata: ["room": "\(record.room)", "player": "\(session.player)", "tick": "\(record.tick)"])
        // Who is in the room already, so that the newcomer can address them.
        for player in record.players where player.player != session.player {
            session.outbox.send(.playerJoined(player.player, entity: player.entity))
        }
        if member.resumeTick > record.tick {
            session.acknowledge(0)
            session.outbox.send(.error(.badResume, "tick \(member.resumeTick) is ahead of room \(record.room) (at \(record.tick))"))
            metrics.errorSent(.badResume, forInput: false)
        }
    }

    private func deliverSnapshot(_ entities: EntityTable, tick: UInt64, to feed: Feed) {
        var encoder = SnapshotEncoder(tick: tick, target: entities, history: feed.history, schema: rules.schema)
        var failure: (any Error)?
        for member in feed.members.values where member.welcomed {
            let session = member.session
            let shared: SharedSnapshot
            do {
                shared = try encoder.snapshot(acknowledgedTick: session.acknowledgedTick, format: session.format)
            } catch {
                failure = error
                continue
            }
            let snapshot = ClientSnapshot(shared: shared, lastAppliedSequence: feed.lastApplied[session.player] ?? 0)
            if session.outbox.sendSnapshot(snapshot) {
                metrics.snapshotsSkipped.increment()
            }
        }
        metrics.snapshotEncodings.increment(by: encoder.encodingCount)
        if let failure {
            logger.error("Cannot encode a snapshot", metadata: ["tick": "\(tick)", "error": "\(failure)"])
        }
    }
}
