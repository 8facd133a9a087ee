import Foundation
import Logging
import ServiceLifecycle
import SwiftProtobuf
import Testing
import TickstreamArena
import TickstreamKafka
import TickstreamProtocol
import TickstreamTesting
@testable import TickstreamSimulation

/// The worker against the embedded cluster: real Kafka protocol, real timers.
@Suite struct SimulationWorkerTests {
    func configuration(_ cluster: TestCluster, workerID: String = "w1", checkpointInterval: UInt64 = 30) -> WorkerConfiguration {
        WorkerConfiguration(
            bootstrapServers: cluster.bootstrapServers,
            topics: cluster.topics,
            workerID: workerID,
            rules: ArenaRules(),
            checkpointInterval: checkpointInterval,
            revocationTimeout: .seconds(5)
        )
    }

    /// Waits until the room's state records show every player's last acknowledged input applied.
    func waitForApplied(_ players: [TestPlayer], in cluster: TestCluster, timeout: Duration = .seconds(30)) async throws -> RoomLog {
        let room = players[0].room
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let log = RoomLog(room: room, inputs: try await cluster.records(of: cluster.topics.inputs), states: try await cluster.records(of: cluster.topics.state))
            let applied = Dictionary(uniqueKeysWithValues: (log.lastState?.players ?? []).map { ($0.player, $0.lastAppliedSequence) })
            if players.allSatisfy({ applied[$0.id] == $0.lastAcknowledged }) {
                return log
            }
            guard ContinuousClock.now < deadline else {
                throw TimeoutError(limit: timeout)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func playersInputsAreAppliedAndTheHashChainVerifies() async throws {
        let cluster = try TestCluster()
        let worker = SimulationWorker(configuration: configuration(cluster), logger: TestCluster.logger)
        let producer = try cluster.makeProducer()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await worker.run() }
            var players = (0..<3).map { TestPlayer(id: "p\($0)", room: "room-a", topics: cluster.topics) }
            for player in players { try await player.join(with: producer) }
            for round in 0..<20 {
                for index in players.indices {
                    try await players[index].sendInput(ArenaInput(heading: ArenaHeading.allCases[(round + index) % 9]).payload, with: producer)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            let log = try await waitForApplied(players, in: cluster)
            group.cancelAll()

            #expect(log.ticks.first?.tick == 1)
            #expect(log.ticks.map(\.tick) == Array(1...UInt64(log.ticks.count)), "one record per tick, none missing")
            let verified = try log.verify(rules: ArenaRules(), idleTimeoutTicks: 900).get()
            #expect(verified == log.ticks.count)
            #expect(try await cluster.records(of: cluster.topics.deadLetter).isEmpty)
        }
        await producer.shutdown()
    }

    @Test(.timeLimit(.minutes(1)))
    func corruptRecordGoesToTheDeadLettersAndTheRoomKeepsTicking() async throws {
        let cluster = try TestCluster()
        let worker = SimulationWorker(configuration: configuration(cluster), logger: TestCluster.logger)
        let producer = try cluster.makeProducer()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await worker.run() }
            var player = TestPlayer(id: "ann", room: "room-b", topics: cluster.topics)
            try await player.join(with: producer)
            let garbage = try await producer.send(ProducerRecord(topic: cluster.topics.inputs, key: Array("room-b".utf8), value: [0xFF, 0xFF, 0xFF]))
            let stranger = TestPlayer(id: "stranger", room: "room-nobody-joined", topics: cluster.topics)
            var strangerInput = stranger
            try await strangerInput.sendInput([0, 1], with: producer)
            try await player.sendInput(ArenaInput(heading: .east).payload, with: producer)
            _ = try await waitForApplied([player], in: cluster)

            let letters = try await withTimeout(.seconds(20)) {
                while true {
                    let records = try await cluster.records(of: cluster.topics.deadLetter)
                    if records.count >= 2 { return try records.map { try DeadLetter(serializedBytes: $0.value) } }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            group.cancelAll()
            #expect(letters.contains { $0.offset == garbage.offset && $0.reason.contains("undecodable") && $0.value == Data([0xFF, 0xFF, 0xFF]) })
            #expect(letters.contains { $0.reason.contains("unknown room room-nobody-joined") })
        }
        await producer.shutdown()
    }

    /// A new owner that cannot read a partition's checkpoints at first (the cluster refuses its offset queries a few
    /// times) keeps trying and resumes the room from its checkpoint: no crash, no room started over.
    @Test(.timeLimit(.minutes(3)))
    func aFailedRestoreIsRetriedAndTheRoomResumesFromItsCheckpoint() async throws {
        let cluster = try TestCluster()
        let producer = try cluster.makeProducer()
        var player = TestPlayer(id: "ann", room: "room-d", topics: cluster.topics)
        try await player.join(with: producer)
        try await player.sendInput(ArenaInput(heading: .east).payload, with: producer)
        // A player on every other partition too, so that the first owner commits an offset in each: the second
        // owner's consumer then starts from those, and only its restores ask for offsets and meet the refusals below
        // (a consumer without a committed offset asks for the earliest one, and could take every refusal).
        func partition(of room: String) -> Int32 {
            RoomPartitioner.partition(forKey: Array(room.utf8), partitionCount: cluster.partitions)
        }
        var others: [TestPlayer] = []
        var partitions: Set<Int32> = [partition(of: player.room)]
        var index = 0
        while partitions.count < cluster.partitions {
            index += 1
            let room = "room-d\(index)"
            guard partitions.insert(partition(of: room)).inserted else { continue }
            var other = TestPlayer(id: "bob\(index)", room: room, topics: cluster.topics)
            try await other.join(with: producer)
            try await other.sendInput(ArenaInput(heading: .west).payload, with: producer)
            others.append(other)
        }
        // The first owner plays the rooms and stops gracefully, leaving their checkpoints.
        try await runUntilGracefulShutdown(SimulationWorker(configuration: configuration(cluster, workerID: "w1"), logger: TestCluster.logger)) {
            for someone in [player] + others {
                _ = try await waitForApplied([someone], in: cluster)
            }
        }

        try cluster.cluster.injectRequestErrors(apiKey: .listOffsets, errors: Array(repeating: .topicAuthorizationFailed, count: 3))
        let capture = LogCapture(passingOn: TestCluster.logger)
        try await player.sendInput(ArenaInput(heading: .west).payload, with: producer)
        try await runUntilGracefulShutdown(SimulationWorker(configuration: configuration(cluster, workerID: "w2"), logger: capture.logger)) {
            // Reading the topics queries offsets too: not before the worker has taken every refusal.
            try await withTimeout(.seconds(60)) {
                while capture.messages.count(where: { $0.hasPrefix("partition restored") }) < cluster.partitions {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let log = try await waitForApplied([player], in: cluster, timeout: .seconds(60))
            #expect(log.ticks.map(\.tick) == Array(1...UInt64(log.ticks.count)), "the second owner went on from the first one's ticks")
            #expect(Set(log.ticks.map(\.epoch)).count == 2, "ticks by both owners")
            #expect(log.duplicateTicks == 0)
            #expect(try log.verify(rules: ArenaRules(), idleTimeoutTicks: 900).get() == log.ticks.count)
        }
        #expect(capture.messages.contains { $0.hasPrefix("could not restore partition; retrying") })
        #expect(try await cluster.records(of: cluster.topics.deadLetter).isEmpty, "no input of an unknown room")
        await producer.shutdown()
    }

    /// A worker that cannot restore its partitions (the cluster refuses every offset query) keeps trying, with the
    /// process up, and stops when asked.
    @Test(.timeLimit(.minutes(1)))
    func aWorkerStillRetryingARestoreStopsWhenAsked() async throws {
        let cluster = try TestCluster()
        try cluster.cluster.injectRequestErrors(apiKey: .listOffsets, errors: Array(repeating: .topicAuthorizationFailed, count: 1_000))
        let capture = LogCapture(passingOn: TestCluster.logger)
        try await runUntilGracefulShutdown(SimulationWorker(configuration: configuration(cluster), logger: capture.logger)) {
            try await withTimeout(.seconds(30)) {
                while !capture.messages.contains(where: { $0.hasPrefix("could not restore partition; retrying") }) {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        #expect(capture.messages.contains { $0.hasPrefix("worker stopped") })
    }

    /// Runs `worker` until `body` returns, then shuts it down gracefully (as SIGTERM would) and waits for it to end.
    func runUntilGracefulShutdown(_ worker: SimulationWorker, _ body: () async throws -> Void) async throws {
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: worker)], logger: TestCluster.logger))
        let running = Task { try await services.run() }
        do {
            try await body()
            await services.triggerGracefulShutdown()
            try await running.value
        } catch {
            running.cancel()
            _ = await running.result
            throw error
        }
    }

    /// SIGTERM with the cluster gone: the worker stops waiting for its final checkpoints after its shutdown timeout
    /// (a send waits out the producer's 30 s delivery timeout otherwise, and the shutdown took about a minute).
    @Test(.timeLimit(.minutes(2)))
    func aGracefulShutdownWithTheClusterGoneEndsWithinItsTimeouts() async throws {
        let cluster = try TestCluster()
        var configuration = configuration(cluster)
        configuration.shutdownTimeout = .seconds(2)
        let worker = SimulationWorker(configuration: configuration, logger: TestCluster.logger)
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: worker)], logger: TestCluster.logger))
        let running = Task { try await services.run() }
        let producer = try cluster.makeProducer()
        var player = TestPlayer(id: "ann", room: "room-c", topics: cluster.topics)
        try await player.join(with: producer)
        try await player.sendInput(ArenaInput(heading: .east).payload, with: producer)
        _ = try await waitForApplied([player], in: cluster)
        await producer.shutdown()

        try cluster.cluster.setBrokerDown(1)
        let stopping = ContinuousClock.now
        await services.triggerGracefulShutdown()
        try await running.value
        let took = ContinuousClock.now - stopping
        print("worker shutdown with the cluster gone: \(took)")
        // 2 s for the checkpoints, then at most the consumer's 10 s close and the producer's 5 s flush.
        #expect(took < .seconds(25))
    }
}
