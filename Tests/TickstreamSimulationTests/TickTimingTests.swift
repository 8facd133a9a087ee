import SwiftProtobuf
import Testing
import TickstreamArena
import TickstreamKafka
import TickstreamProtocol
import TickstreamTesting
@testable import TickstreamSimulation

/// Wall-clock timing of the real tick loop. `tools/test` runs this suite on its own after the others,
/// since its subject is time and a machine busy with 100 other tests is not an idle one.
@Suite struct TickTimingTests {
    @Test(.timeLimit(.minutes(1)))
    func theTickLoopDoesNotDrift() async throws {
        let cluster = try TestCluster(partitions: 1)
        let worker = SimulationWorker(
            configuration: WorkerConfiguration(bootstrapServers: cluster.bootstrapServers, topics: cluster.topics, rules: ArenaRules()),
            logger: TestCluster.logger
        )
        let producer = try cluster.makeProducer()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await worker.run() }
            try await TestPlayer(id: "ann", room: "clock", topics: cluster.topics).join(with: producer)
            let timestamps = try await withTimeout(.seconds(30)) {
                while true {
                    let records = try await cluster.records(of: cluster.topics.state)
                    let byTick = try Dictionary(records.map { (try StateRecord(serializedBytes: $0.value).tick, $0.timestamp) }, uniquingKeysWith: { first, _ in first })
                    if let start = byTick[1], let end = byTick[301] { return (start, end) }
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            group.cancelAll()
            let elapsed = timestamps.1 - timestamps.0
            print("300 ticks at 30 Hz took \(elapsed) ms")
            #expect(abs(elapsed - 10_000) <= 34, "300 ticks took \(elapsed) ms")
        }
        await producer.shutdown()
    }
}
