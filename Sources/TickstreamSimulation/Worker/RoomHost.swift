import Logging
import Metrics
import SwiftProtobuf
import TickstreamKafka
import TickstreamProtocol
import TickstreamRules

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The rooms of one worker: routes input records to them, ticks them when due, and publishes their states.
///
/// One actor owns every room so that records and ticks never race; a tick of an arena room takes
/// microseconds, so a single actor serves hundreds of rooms.
actor RoomHost {
    private let configuration: WorkerConfiguration
    private let producer: KafkaProducer
    private let logger: Logger
    private var rooms: [String: HostedRoom] = [:]
    /// Per owned input partition: the offset after the last record consumed.
    private var positions: [Int32: Int64] = [:]
    /// Ticks recorded for rooms with no checkpoint yet (created shortly before a takeover), by room.
    private var replayWithoutCheckpoint: [String: (partition: Int32, ticks: [RecordedTick])] = [:]
    private var pendingCheckpoints: [RoomCheckpoint] = []

    // Labelled with the worker's id: several workers may share a process (and a registry) in `serve` and tests.
    private let ticks: Counter
    private let overruns: Counter
    private let deadLetters: Counter
    private let divergences: Counter
    private let roomGauge: Gauge
    private let tickDuration: Timer

    init(configuration: WorkerConfiguration, producer: KafkaProducer, logger: Logger) {
        self.configuration = configuration
        self.producer = producer
        self.logger = logger
        let worker = [("worker", configuration.workerID)]
        ticks = Counter(label: "tickstream_worker_ticks_total", dimensions: worker)
        overruns = Counter(label: "tickstream_worker_tick_overruns_total", dimensions: worker)
        deadLetters = Counter(label: "tickstream_worker_deadletters_total", dimensions: worker)
        divergences = Counter(label: "tickstream_worker_replay_divergences_total", dimensions: worker)
        roomGauge = Gauge(label: "tickstream_worker_rooms", dimensions: worker)
        tickDuration = Timer(label: "tickstream_worker_tick_duration_seconds", dimensions: worker)
    }

    var roomCount: Int { rooms.count }

    /// Per owned input partition: the offset after the last record consumed, for the lag sampler.
    var consumedPositions: [Int32: Int64] { positions }

    // MARK: Input records

    /// Routes one record of the inputs topic to its room, creating the room on a join.
    func receive(_ record: ConsumerRecord) {
        guard let position = positions[record.partition] else { return }  // a partition given up meanwhile
        positions[record.partition] = max(position, record.offset + 1)
        defer { replayDueTicks(partition: record.partition) }

        let command: RoomCommand
        let room: String
        do {
            let input = try InputRecord(serializedBytes: record.value)
            command = try RoomCommand(input)
            room = input.room
        } catch {
            deadLetter(record, reason: "undecodable input record: \(error)")
            return
        }
        guard record.key.map({ String(decoding: $0, as: UTF8.self) }) == room else {
            deadLetter(record, reason: "record key does not name its room \(room)")
            return
        }

        if rooms[room] == nil {
            guard case .join = command else {
                deadLetter(record, reason: "\(command.player) acted in unknown room \(room)")
                return
            }
            openRoom(room, partition: record.partition, at: record.offset)
        }
        guard let hosted = rooms[room], record.offset >= hosted.firstInputOffset else { return }
        if !hosted.engine.enqueue(command, offset: record.offset) {
            deadLetter(record, reason: "room \(room) has \(RoomEngine.maxQueuedCommands) commands waiting for one tick")
        }
    }

    private func openRoom(_ room: String, partition: Int32, at offset: Int64) {
        let engine = RoomEngine(room: room, rules: configuration.rules, idleTimeoutTicks: configuration.idleTimeoutTicks)
        let replay = replayWithoutCheckpoint.removeValue(forKey: room)?.ticks ?? []
        rooms[room] = HostedRoom(
            engine: engine,
            partition: partition,
            schedule: newSchedule(),
            published: nil,
            pendingReplay: replay,
            epoch: (replay.map(\.epoch).max() ?? 0) + 1,
            firstInputOffset: offset
        )
        roomGauge.record(rooms.count)
        logger.info("room opened", metadata: ["room": "\(room)", "partition": "\(partition)", "replaying": "\(replay.count)"])
    }

    // MARK: Ticks

    /// Ticks every live room that is due; returns when the next tick is due.
    func tickDueRooms(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        var closed: [String] = []
        for (name, hosted) in rooms where hosted.isLive {
            let overrunsBefore = hosted.schedule.overruns
            let due = hosted.schedule.ticksDue(at: now)
            if hosted.schedule.overruns > overrunsBefore {
                overruns.increment()
            }
            for _ in 0..<due {
                if tick(hosted) {
                    closed.append(name)
                    break
                }
            }
            earliest = min(earliest ?? hosted.schedule.deadline, hosted.schedule.deadline)
        }
        for name in closed {
            rooms[name] = nil
        }
        if !closed.isEmpty {
            roomGauge.record(rooms.count)
        }
        return earliest
    }

    private func newSchedule() -> TickSchedule {
        TickSchedule(period: configuration.tickPeriod, maxCatchUpTicks: configuration.maxCatchUpTicks, start: .now.advanced(by: configuration.tickPeriod))
    }

    /// Runs one live tick and publishes it. Returns true if the room closed.
    private func tick(_ hosted: HostedRoom) -> Bool {
        let start = ContinuousClock.now
        let outcome = hosted.engine.tick()
        let state = hosted.engine.state
        let joined = outcome.events.contains { if case .joined = $0 { true } else { false } }
        let keyframe = hosted.forceKeyframe || joined || state.tick % configuration.keyframeInterval == 0
        let record = StateRecord(engine: hosted.engine, outcome: outcome, baseline: keyframe ? nil : hosted.published, epoch: hosted.epoch, worker: configuration.workerID)
        tickDuration.recordNanoseconds((ContinuousClock.now - start).wholeNanoseconds)
        ticks.increment()

        publish(record, of: hosted)
        for rejected in outcome.rejected {
            deadLetter(partition: hosted.partition, offset: rejected.offset, key: Array(hosted.engine.room.utf8), value: [], reason: rejected.reason)
        }
        hosted.published = state
        hosted.forceKeyframe = false
        hosted.ticksSinceCheckpoint += 1

        if outcome.closed {
            logger.info("room closed", metadata: ["room": "\(hosted.engine.room)", "tick": "\(state.tick)"])
            send(ProducerRecord(topic: configuration.topics.checkpoints, partition: hosted.partition, key: Array(hosted.engine.room.utf8), value: []))
            return true
        }
        if hosted.ticksSinceCheckpoint >= configuration.checkpointInterval {
            pendingCheckpoints.append(checkpoint(of: hosted))
            hosted.ticksSinceCheckpoint = 0
        }
        return false
    }

    private func publish(_ record: StateRecord, of hosted: HostedRoom) {
        guard let value: [UInt8] = try? record.serializedBytes() else { return }
        send(ProducerRecord(topic: configuration.topics.state, partition: hosted.partition, key: Array(hosted.engine.room.utf8), value: value))
    }

    private func send(_ record: ProducerRecord) {
        do {
            try producer.sendAndForget(record)
        } catch {
            logger.error("could not enqueue record", metadata: ["topic": "\(record.topic)", "error": "\(error)"])
        }
    }

    // MARK: Takeover and replay

    /// Takes over `partition`: restores its rooms from their checkpoints and the ticks recorded since.
    func adopt(_ restored: RestoredPartition) {
        positions[restored.partition] = 0
        for checkpoint in restored.checkpoints.values {
            do {
                let engine = try checkpoint.restore(rules: configuration.rules, idleTimeoutTicks: configuration.idleTimeoutTicks)
                let replay = (restored.recordedTicks[checkpoint.room] ?? []).filter { $0.tick > checkpoint.tick }
                rooms[checkpoint.room] = HostedRoom(
                    engine: engine,
                    partition: restored.partition,
                    schedule: newSchedule(),
                    published: engine.state,
                    pendingReplay: replay,
                    epoch: max(checkpoint.workerEpoch, replay.map(\.epoch).max() ?? 0) + 1,
                    firstInputOffset: checkpoint.nextInputOffset
                )
                logger.info("room restored", metadata: ["room": "\(checkpoint.room)", "tick": "\(checkpoint.tick)", "replaying": "\(replay.count)"])
            } catch {
                logger.error("checkpoint not restored; the room starts over at its next join", metadata: ["room": "\(checkpoint.room)", "error": "\(error)"])
            }
        }
        for (room, ticks) in restored.recordedTicks where rooms[room] == nil && !ticks.isEmpty && ticks.first?.tick == 1 {
            replayWithoutCheckpoint[room] = (restored.partition, ticks)
        }
        roomGauge.record(rooms.count)
        replayDueTicks(partition: restored.partition)
    }

    /// Re-simulates the recorded ticks whose inputs have all been read; a room whose record is
    /// exhausted goes live with a keyframe.
    private func replayDueTicks(partition: Int32) {
        guard let position = positions[partition] else { return }
        for (name, hosted) in rooms where hosted.partition == partition && !hosted.isLive {
            while let next = hosted.pendingReplay.first, next.inputWatermark < max(position, hosted.firstInputOffset) {
                _ = hosted.engine.tick(through: next.inputWatermark)
                if hosted.engine.state.stateHash != next.stateHash {
                    divergences.increment()
                    logger.error("re-simulated tick differs from the record", metadata: ["room": "\(name)", "tick": "\(next.tick)"])
                }
                hosted.published = hosted.engine.state
                hosted.pendingReplay.removeFirst()
            }
            if hosted.isLive {
                hosted.schedule.restart(at: .now)
                hosted.forceKeyframe = true
                logger.info("room live after replay", metadata: ["room": "\(name)", "tick": "\(hosted.engine.state.tick)", "epoch": "\(hosted.epoch)"])
            }
        }
    }

    // MARK: Checkpoints and commits

    private func checkpoint(of hosted: HostedRoom) -> RoomCheckpoint {
        let record = Checkpoint(
            engine: hosted.engine,
            nextInputOffset: hosted.engine.inputWatermark + 1,
            epoch: hosted.epoch,
            takenAtMs: Int64(Date().timeIntervalSince1970 * 1000)
        )
        return RoomCheckpoint(partition: hosted.partition, record: record)
    }

    /// The checkpoints taken since the last call, for the checkpoint writer.
    func takePendingCheckpoints() -> [RoomCheckpoint] {
        defer { pendingCheckpoints.removeAll() }
        return pendingCheckpoints
    }

    /// Notes that `checkpoint` is in the log.
    /// - Returns: the offset now safe to commit for its partition.
    func checkpointDelivered(_ checkpoint: RoomCheckpoint) -> TopicPartitionOffset? {
        guard let hosted = rooms[checkpoint.record.room] else { return nil }
        hosted.coveredOffset = max(hosted.coveredOffset, checkpoint.record.nextInputOffset)
        return committableOffset(partition: hosted.partition)
    }

    /// The offset up to which every input of `partition` is covered by a delivered checkpoint.
    private func committableOffset(partition: Int32) -> TopicPartitionOffset? {
        guard let position = positions[partition] else { return nil }
        let covered = rooms.values.filter { $0.partition == partition }.map(\.coveredOffset).min() ?? position
        guard covered > 0 else { return nil }
        return TopicPartitionOffset(topic: configuration.topics.inputs, partition: partition, offset: covered)
    }

    /// Gives up `partitions` and forgets their rooms.
    /// - Returns: a checkpoint of each live room, and the offsets to commit once they are delivered.
    func release(partitions: Set<Int32>) -> (checkpoints: [RoomCheckpoint], commits: [TopicPartitionOffset]) {
        var checkpoints: [RoomCheckpoint] = []
        for hosted in rooms.values where partitions.contains(hosted.partition) {
            if hosted.isLive {
                let checkpoint = checkpoint(of: hosted)
                hosted.coveredOffset = checkpoint.record.nextInputOffset
                checkpoints.append(checkpoint)
            }
        }
        let commits = partitions.compactMap(committableOffset(partition:))
        rooms = rooms.filter { !partitions.contains($0.value.partition) }
        for partition in partitions {
            positions[partition] = nil
        }
        replayWithoutCheckpoint = replayWithoutCheckpoint.filter { !partitions.contains($0.value.partition) }
        roomGauge.record(rooms.count)
        return (checkpoints, commits)
    }

    /// A checkpoint of every live room, for a graceful shutdown.
    func checkpointAll() -> [RoomCheckpoint] {
        rooms.values.filter(\.isLive).map(checkpoint(of:))
    }

    // MARK: Dead letters

    private func deadLetter(_ record: ConsumerRecord, reason: String) {
        deadLetter(partition: record.partition, offset: record.offset, key: record.key ?? [], value: record.value, reason: reason)
    }

    private func deadLetter(partition: Int32, offset: Int64, key: [UInt8], value: [UInt8], reason: String) {
        deadLetters.increment()
        // The key names the room (or what an undecodable record claims as its room).
        logger.warning("dead letter", metadata: [
            "room": "\(String(decoding: key, as: UTF8.self))", "partition": "\(partition)", "offset": "\(offset)", "reason": "\(reason)",
        ])
        var letter = DeadLetter()
        letter.topic = configuration.topics.inputs
        letter.partition = partition
        letter.offset = offset
        letter.key = Data(key)
        letter.value = Data(value)
        letter.reason = reason
        letter.worker = configuration.workerID
        letter.atMs = Int64(Date().timeIntervalSince1970 * 1000)
        guard let bytes: [UInt8] = try? letter.serializedBytes() else { return }
        send(ProducerRecord(topic: configuration.topics.deadLetter, key: key, value: bytes))
    }
}
