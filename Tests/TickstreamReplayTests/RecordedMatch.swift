import SwiftProtobuf
import TickstreamArena
import TickstreamKafka
import TickstreamProtocol
import TickstreamReplay
import TickstreamSimulation
import TickstreamTesting

/// A match recorded on an embedded cluster: a simulation worker and synthetic players sending inputs.
struct RecordedMatch {
    let cluster: TestCluster
    let room: String
    let players: [TestPlayer]

    static let idleTimeoutTicks: UInt64 = 900
    static let checkpointInterval: UInt64 = 30

    /// Runs a worker while `playerCount` players join `room` and change direction every 50 ms for `duration`,
    /// once the room ticks, then waits until every acknowledged input shows as applied in the state topic.
    static func record(room: String = "match-1", playerCount: Int = 4, duration: Duration = .seconds(3)) async throws -> RecordedMatch {
        let cluster = try TestCluster()
        let worker = SimulationWorker(
            configuration: WorkerConfiguration(
                bootstrapServers: cluster.bootstrapServers, topics: cluster.topics, workerID: "w1", rules: ArenaRules(), checkpointInterval: checkpointInterval
            ),
            logger: TestCluster.logger
        )
        let producer = try cluster.makeProducer()
        var players = (0..<playerCount).map { TestPlayer(id: "p\($0)", room: room, topics: cluster.topics) }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await worker.run() }
            for player in players { try await player.join(with: producer) }
            // The worker joins its group (about 3 s) before the room opens: play once it ticks.
            try await withTimeout(.seconds(30)) {
                while try await cluster.records(of: cluster.topics.state).isEmpty {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let end = ContinuousClock.now + duration
            var round = 0
            while ContinuousClock.now < end {
                for index in players.indices {
                    try await players[index].sendInput(ArenaInput(heading: ArenaHeading.allCases[(round * 3 + index * 5) % 9]).payload, with: producer)
                }
                round += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            try await waitUntilApplied(players, cluster: cluster)
            try await waitUntilBetweenCheckpoints(cluster: cluster)
            group.cancelAll()
        }
        await producer.shutdown()
        return RecordedMatch(cluster: cluster, room: room, players: players)
    }

    /// The room's recording as `tickstream replay` reads it.
    func recording(fromCheckpoint: Bool = false) async throws -> RoomRecording {
        let reader = try LogReader(bootstrapServers: cluster.bootstrapServers, logger: TestCluster.logger)
        do {
            let recording = try await KafkaRoomSource(reader: reader, topics: cluster.topics).recording(room: room, fromCheckpoint: fromCheckpoint)
            await reader.close()
            return recording
        } catch {
            await reader.close()
            throw error
        }
    }

    /// Waits until the room is well past its latest checkpoint and well before its next one, so that the worker stops
    /// with ticks recorded after its last checkpoint, for a replay from that checkpoint to verify.
    private static func waitUntilBetweenCheckpoints(cluster: TestCluster) async throws {
        try await withTimeout(.seconds(30)) {
            while true {
                let checkpoints = try await cluster.records(of: cluster.topics.checkpoints).compactMap { try? Checkpoint(serializedBytes: $0.value) }
                let states = try await cluster.records(of: cluster.topics.state).compactMap { try? StateRecord(serializedBytes: $0.value) }
                if let checkpoint = checkpoints.last?.tick, let tick = states.last?.tick,
                   (checkpoint + 2...checkpoint + checkpointInterval - 5).contains(tick) {
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    private static func waitUntilApplied(_ players: [TestPlayer], cluster: TestCluster) async throws {
        try await withTimeout(.seconds(30)) {
            while true {
                let states = try await cluster.records(of: cluster.topics.state).compactMap { try? StateRecord(serializedBytes: $0.value) }
                let applied = Dictionary((states.last?.players ?? []).map { ($0.player, $0.lastAppliedSequence) }) { $1 }
                if players.allSatisfy({ applied[$0.id] == $0.lastAcknowledged }) { return }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
