import Foundation
import Testing
import TickstreamTesting

/// Gateways and workers as separate processes on one Kafka cluster, played by real WebSocket clients.
///
/// Runs the built `tickstream` binary (see ``Deployment/binaryURL``); one test at a time, since each starts a cluster,
/// two gateways and up to two workers on a machine that may have two cores.
@Suite(.serialized, .enabled(if: Deployment.binaryExists, Deployment.missingBinary))
struct ScaleOutTests {
    @Test(.timeLimit(.minutes(3)))
    func playersOfOneRoomOnTwoGatewaysSeeTheSameStates() async throws {
        try await Deployment.run { deployment in
            let worker = try deployment.startWorker("worker-1")
            let gateways = [try await deployment.startGateway("gateway-1"), try await deployment.startGateway("gateway-2")]
            try await worker.line(containing: "partition restored")
            #expect(
                worker.log.contains("is an embedded cluster: consumers' fetch wait 2 ms"),
                "the worker asked the cluster what it is and chose the fetch wait that suits it"
            )
            let room = deployment.rooms(perPartition: 1)[0]
            let players = (0..<4).map { Player(name: "player-\($0)", room: room, url: gateways[$0 % 2].url) }

            try await play(players) {
                try await waitUntil("every player to see the four players") { players.allSatisfy { $0.observations.playersInRoom == 4 } }
                // Ticks seen by all, not ticks passed: a client the machine's load slows down skips to the newest
                // snapshot, as it should, and those skipped ticks are no evidence either way.
                try await waitUntil("60 ticks seen by every player") { ticksSeenByAll(players.map(\.observations)).count >= 60 }
            }

            let observations = players.map(\.observations)
            let common = ticksSeenByAll(observations)
            let differing = common.filter { tick in Set(observations.map { $0.hashes[tick] }).count != 1 }
            print("scale-out: 4 players of \(room) on 2 gateways: \(common.count) ticks seen by all, \(differing.count) with different states")
            #expect(common.count >= 60, "the players saw the same ticks")
            #expect(differing.isEmpty, "ticks whose state differs between players: \(differing.sorted().prefix(10))")
            for player in observations {
                #expect(player.errors.isEmpty)
            }
            try await expectCleanExit(gateways.map(\.process) + [worker])
        }
    }

    /// A worker joins during play and takes over some rooms; then the first worker stops (SIGTERM: it checkpoints
    /// and leaves; SIGKILL: it just disappears) and the second takes over the rest. Every input Kafka acknowledged
    /// is applied: each player's last applied sequence reaches its last acknowledged one, and never goes back.
    @Test(.timeLimit(.minutes(4)), arguments: [SIGTERM, SIGKILL])
    func roomsMoveBetweenWorkersWithoutLosingAcknowledgedInputs(stopSignal: Int32) async throws {
        try await Deployment.run { deployment in
            // A killed worker's rooms move once the group notices it is gone: after the session timeout. The embedded
            // cluster holds every rebalance for the session timeout less a second, and a group's first join for 3 s
            // (without heartbeats, so the session must outlast it): 4.5 s is about the shortest that is safe there.
            let properties = ["session.timeout.ms=4500"]
            let first = try deployment.startWorker("worker-1", kafkaProperties: properties)
            let gateways = [try await deployment.startGateway("gateway-1"), try await deployment.startGateway("gateway-2")]
            let allPartitions = Set(0..<deployment.partitions)
            try await waitUntil("worker-1 to own every partition") { deployment.restoredPartitions(of: first) == allPartitions }
            // One room per partition; each room has a player on each gateway.
            let players = deployment.rooms(perPartition: 1).flatMap { room in
                gateways.enumerated().map { Player(name: "\(room)@gateway-\($0.offset + 1)", room: room, url: $0.element.url) }
            }

            var moved: Set<Int32> = []
            var pauses: [Duration] = []
            try await play(players) {
                try await waitUntil("every player to receive states") { players.allSatisfy { $0.observations.snapshots >= 30 } }
                _ = players.map { $0.takeLongestSilence() }

                let second = try deployment.startWorker("worker-2", kafkaProperties: properties)
                try await waitUntil("worker-2 to take over some rooms") { !deployment.restoredPartitions(of: second).isEmpty }
                try await waitForTicks(players, 30, "after worker-2 joined")
                moved = deployment.restoredPartitions(of: second)
                pauses.append(players.map { $0.takeLongestSilence() }.max() ?? .zero)

                let exit = try await first.stop(signal: stopSignal)
                #expect(exit == (stopSignal == SIGTERM ? .status(0) : .signal(SIGKILL)), "worker-1: \(exit)")
                try await waitUntil("worker-2 to own every partition") { deployment.restoredPartitions(of: second) == allPartitions }
                try await waitForTicks(players, 30, "after worker-1 stopped")
                pauses.append(players.map { $0.takeLongestSilence() }.max() ?? .zero)
            }

            let observations = players.map(\.observations)
            let acknowledged = observations.map(\.lastAcknowledged).reduce(0, +)
            let applied = observations.map(\.lastApplied).reduce(0, +)
            let jump = observations.map(\.largestTickJump).max() ?? 0
            print("""
                scale-out: worker-2 joined and took partitions \(moved.sorted()), worker-1 stopped by signal \(stopSignal): \
                \(players.count) players, inputs sent \(observations.map(\.lastSent).reduce(0, +)), acknowledged \(acknowledged), \
                applied \(applied); longest pause of a room's snapshots: \(Int(pauses[0] / .milliseconds(1))) ms at the join, \(Int(pauses[1] / .milliseconds(1))) ms at the stop; \
                largest tick jump \(jump)
                """)
            #expect(!moved.isEmpty && moved != allPartitions, "worker-2 took some partitions, not all, while worker-1 ran")
            #expect(acknowledged == applied, "no acknowledged input lost")
            for player in observations {
                #expect(player.lastApplied == player.lastAcknowledged)
                #expect(player.regressions == 0, "the last applied sequence never goes back")
                #expect(player.errors.isEmpty)
            }
            try await expectCleanExit(gateways.map(\.process))
        }
    }

    /// Runs `players` while `scenario` runs, then stops their inputs and waits until each has its last acknowledged
    /// input applied.
    private func play(_ players: [Player], during scenario: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for player in players {
                group.addTask { try await player.play() }
            }
            do {
                try await scenario()
            } catch {
                group.cancelAll()
                throw error
            }
            for player in players {
                player.stopSending()
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw ProcessFailure("players still waiting for their last inputs to be applied after 60 s")
            }
            for _ in players {
                try await group.next()
            }
            group.cancelAll()
        }
    }

    /// The ticks whose state every one of the players received.
    private func ticksSeenByAll(_ observations: [Player.Observations]) -> Set<UInt64> {
        observations.dropFirst().reduce(Set(observations[0].hashes.keys)) { $0.intersection($1.hashes.keys) }
    }

    /// Waits until every player has received `count` ticks more than the latest one any player has now.
    private func waitForTicks(_ players: [Player], _ count: UInt64, _ when: String) async throws {
        let start = players.map(\.observations.latestTick).max() ?? 0
        try await waitUntil("\(count) ticks \(when)") { players.allSatisfy { $0.observations.latestTick >= start + count } }
    }

    /// Polls `condition` until it holds.
    ///
    /// - Throws: a ``ProcessFailure`` naming `what` after `timeout`.
    private func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw ProcessFailure("waited \(timeout) for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A worker that cannot reach its cluster at startup cannot ask what it is; it takes it for Kafka brokers, whose
    /// fetch wait costs an embedded cluster latency, not brokers a storm of empty fetches, and says so.
    @Test(.timeLimit(.minutes(1)))
    func aWorkerThatCannotReachItsClusterTakesItForKafkaBrokers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tickstream-unreachable-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Nothing listens on port 1: every connection is refused.
        let worker = try TickstreamProcess(
            name: "worker", binary: Deployment.binaryURL,
            arguments: ["worker", "--brokers", "127.0.0.1:1", "--log-level", "info"],
            directory: directory
        )
        let line = try await worker.line(containing: "Cannot tell an embedded cluster from Kafka brokers", timeout: .seconds(30))
        _ = try await worker.stop(signal: SIGKILL)
        #expect(line.contains("consumers' fetch wait 100 ms"), "\(line)")
        #expect(line.contains("--kafka-property fetch.wait.max.ms=2"), "the warning says how to choose otherwise")
    }

    /// Stops `processes` with SIGTERM, one after the other, and expects each to exit with status 0.
    private func expectCleanExit(_ processes: [TickstreamProcess]) async throws {
        for process in processes {
            let exit = try await process.stop()
            #expect(exit == .status(0), "\(process.name) after SIGTERM: \(exit)")
        }
    }
}
