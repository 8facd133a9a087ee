import Logging
import SwiftProtobuf
import Synchronization
import Testing
import TickstreamArena
import TickstreamKafka
import TickstreamProtocol
import TickstreamTesting
@testable import TickstreamSimulation

/// Rooms survive workers joining the group and workers crashing, with no acknowledged input lost.
@Suite struct FailoverTests {
    /// The newest state record of each room.
    func latestStates(_ cluster: TestCluster) async throws -> [String: StateRecord] {
        var latest: [String: StateRecord] = [:]
        for record in try await cluster.records(of: cluster.topics.state) {
            let state = try StateRecord(serializedBytes: record.value)
            if state.tick >= latest[state.room]?.tick ?? 0 {
                latest[state.room] = state
            }
        }
        return latest
    }

    /// Polls the state topic until `condition` holds of the rooms' newest records.
    func waitForStates(
        _ cluster: TestCluster, _ what: String, timeout: Duration = .seconds(90),
        until condition: @escaping @Sendable ([String: StateRecord]) -> Bool
    ) async throws -> [String: StateRecord] {
        let seen = Mutex<[String: StateRecord]>([:])
        do {
            return try await withTimeout(timeout) {
                while true {
                    let latest = try await latestStates(cluster)
                    seen.withLock { $0 = latest }
                    if condition(latest) { return latest }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
        } catch {
            let rooms = seen.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key): tick \($0.value.tick) by \($0.value.worker) epoch \($0.value.workerEpoch)" }
            Issue.record("waiting for \(what): \(error); newest states: \(rooms.joined(separator: ", "))")
            throw error
        }
    }

    @Test(.timeLimit(.minutes(4)))
    func roomsMoveToANewWorkerAndSurviveACrash() async throws {
        let cluster = try TestCluster(partitions: 2)
        let rooms = ["match-1", "match-2", "match-3", "match-4"]
        #expect(Set(rooms.map { RoomPartitioner.partition(forKey: Array($0.utf8), partitionCount: 2) }).count == 2, "rooms on both partitions")

        func worker(_ id: String) -> SimulationWorker {
            SimulationWorker(
                configuration: WorkerConfiguration(
                    bootstrapServers: cluster.bootstrapServers, topics: cluster.topics, workerID: id,
                    rules: ArenaRules(), checkpointInterval: 30, revocationTimeout: .seconds(5)
                ),
                logger: TestCluster.logger
            )
        }

        let producer = try cluster.makeProducer()
        let players = Mutex(rooms.flatMap { room in (0..<3).map { TestPlayer(id: "\(room)-p\($0)", room: room, topics: cluster.topics) } })
        for player in players.withLock({ $0 }) {
            try await player.join(with: producer)
        }
        let sending = Atomic<Bool>(true)
        // Players keep playing through everything that follows.
        let playing = Task {
            var round = 0
            while sending.load(ordering: .relaxed) {
                var current = players.withLock { $0 }
                for index in current.indices {
                    let heading = ArenaHeading.allCases[(round + index) % ArenaHeading.allCases.count]
                    try await current[index].sendInput(ArenaInput(heading: heading).payload, with: producer)
                }
                players.withLock { $0 = current }
                round += 1
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        let first = Task { try await worker("first").run() }
        _ = try await waitForStates(cluster, "the first worker to run every room") { latest in
            rooms.allSatisfy { latest[$0]?.worker == "first" }
        }
        // A second worker joins: the group moves one partition's rooms to it (checkpoint → restore).
        let second = Task { try await worker("second").run() }
        let split = try await waitForStates(cluster, "the rooms to be split between the workers") { latest in
            let owners = rooms.compactMap { latest[$0] }.filter { $0.workerEpoch >= 2 }.map(\.worker)
            return owners.count == rooms.count && Set(owners) == ["first", "second"]
        }
        let crashed = rooms.filter { split[$0]?.worker == "first" }
        // The first worker crashes: no checkpoint, no goodbye. Its rooms resume on the second.
        first.cancel()
        _ = await first.result
        _ = try await waitForStates(cluster, "the second worker to take over the crashed worker's rooms") { latest in
            crashed.allSatisfy { latest[$0]?.worker == "second" }
        }
        try await Task.sleep(for: .seconds(1))
        sending.store(false, ordering: .relaxed)
        try await playing.value

        let final = players.withLock { $0 }
        let inputs = try await cluster.records(of: cluster.topics.inputs)
        var sent = 0
        var applied = 0
        for room in rooms {
            let behind = Mutex("")
            let log: RoomLog
            do {
                log = try await withTimeout(.seconds(90)) {
                    while true {
                        let log = RoomLog(room: room, inputs: inputs, states: try await cluster.records(of: cluster.topics.state))
                        let progress = Dictionary(uniqueKeysWithValues: (log.lastState?.players ?? []).map { ($0.player, $0.lastAppliedSequence) })
                        let lagging = final.filter { $0.room == room && progress[$0.id] != $0.lastAcknowledged }
                        if lagging.isEmpty { return log }
                        behind.withLock {
                            $0 = "tick \(log.lastState?.tick ?? 0) by \(log.lastState?.worker ?? "-"): "
                                + lagging.map { "\($0.id) acknowledged \($0.lastAcknowledged), applied \(progress[$0.id].map(String.init) ?? "none")" }.joined(separator: ", ")
                        }
                        try await Task.sleep(for: .milliseconds(250))
                    }
                }
            } catch {
                Issue.record("\(room): inputs never applied: \(behind.withLock { $0 })")
                throw error
            }
            sent += final.filter { $0.room == room }.map(\.lastAcknowledged).reduce(0) { $0 + Int($1) }
            applied += log.lastState?.players.map(\.lastAppliedSequence).reduce(0) { $0 + Int($1) } ?? 0
            #expect(log.ticks.map(\.tick) == Array(1...UInt64(log.ticks.count)), "\(room): every tick recorded")
            #expect(log.duplicateTicks == 0, "\(room): the new owner replayed the recorded ticks instead of publishing them again")
            #expect(Set(log.ticks.map(\.epoch)).count >= (crashed.contains(room) ? 3 : 2), "\(room): taken over at each move")
            switch log.verify(rules: ArenaRules(), idleTimeoutTicks: 900) {
            case .success(let verified):
                #expect(verified == log.ticks.count)
            case .failure(let divergence):
                Issue.record("\(room): \(divergence)")
            }
        }
        print("failover: \(crashed.count) rooms taken over after a crash; inputs acknowledged \(sent), applied \(applied), lost \(sent - applied)")
        #expect(!crashed.isEmpty)
        #expect(sent == applied)
        #expect(try await cluster.records(of: cluster.topics.deadLetter).isEmpty, "no duplicate or unknown input")
        second.cancel()
        _ = await second.result
        await producer.shutdown()
    }
}
