import Foundation
import ServiceLifecycle
import TickstreamAccess
import TickstreamArena
import TickstreamGateway
import TickstreamProtocol
import TickstreamSimulation
import TickstreamTesting

/// Two gateways and a worker on one embedded cluster, each in a service group of its own so that one gateway can be
/// stopped while the rest runs. Connections need a token of ``authority``.
struct TwoGateways: Sendable {
    let cluster: TestCluster
    let authority: TokenAuthority
    let portA: Int
    let portB: Int
    private let gatewayA: ServiceGroup

    var urlA: String { "ws://127.0.0.1:\(portA)/v1/ws" }
    var urlB: String { "ws://127.0.0.1:\(portB)/v1/ws" }

    /// Stops gateway A gracefully: its clients are closed with 1001.
    func stopA() async {
        await gatewayA.triggerGracefulShutdown()
    }

    static func run(_ body: (TwoGateways) async throws -> Void) async throws {
        let cluster = try TestCluster()
        let rules = ArenaRules()
        let authority = try TokenAuthority(secret: Array("two gateways share one secret of 32+ bytes".utf8))
        let logger = GatewayHarness.logger
        let worker = ServiceGroup(
            configuration: .init(
                services: [SimulationWorker(configuration: WorkerConfiguration(bootstrapServers: cluster.bootstrapServers, topics: cluster.topics, rules: rules), logger: logger)],
                logger: logger
            )
        )
        var groups: [ServiceGroup] = [worker]
        var ports: [AsyncStream<Int>] = []
        for name in ["a", "b"] {
            let (stream, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
            let configuration = GatewayConfiguration(
                port: 0,
                bootstrapServers: cluster.bootstrapServers,
                topicPrefix: cluster.topics.prefix,
                gatewayID: "gateway-\(name)",
                allowAnonymous: false,
                tokens: authority,
                historyLength: 300
            )
            let gateway = Gateway(configuration: configuration, rules: rules, logger: logger) { continuation.yield($0) }
            groups.append(ServiceGroup(configuration: .init(services: [gateway], logger: logger)))
            ports.append(stream)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for services in groups {
                group.addTask { try await services.run() }
            }
            var boundPorts: [Int] = []
            for stream in ports {
                var iterator = stream.makeAsyncIterator()
                guard let port = await iterator.next() else { throw TimeoutError(limit: .zero) }
                boundPorts.append(port)
            }
            let pipeline = TwoGateways(cluster: cluster, authority: authority, portA: boundPorts[0], portB: boundPorts[1], gatewayA: groups[1])
            let failure: (any Error)?
            do {
                try await body(pipeline)
                failure = nil
            } catch {
                failure = error
            }
            for services in groups.reversed() {
                await services.triggerGracefulShutdown()
            }
            try await group.waitForAll()
            if let failure { throw failure }
        }
    }
}
