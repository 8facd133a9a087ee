import Foundation
import Logging
import ServiceLifecycle
import TickstreamArena
import TickstreamGateway
import TickstreamKafka
import TickstreamProtocol
import TickstreamRules
import TickstreamSimulation
import TickstreamTesting

/// The real pipeline in-process: an embedded Kafka cluster with the topics, a simulation worker and a gateway
/// on a free port.
struct GatewayHarness: Sendable {
    let cluster: TestCluster
    let port: Int
    let services: ServiceGroup
    /// Distinct per harness (as is the worker's id), so that a full run's logs tell the harnesses apart.
    let gatewayID: String

    var url: String { "ws://127.0.0.1:\(port)/v1/ws" }

    static let logger: Logger = {
        var logger = Logger(label: "tickstream.gateway.tests")
        // TICKSTREAM_TEST_LOG_LEVEL=debug shows what the gateway and the worker do.
        logger.logLevel = ProcessInfo.processInfo.environment["TICKSTREAM_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        return logger
    }()

    /// Runs `body` against a fresh pipeline, then shuts it down gracefully.
    ///
    /// - Parameter sharingProducer: whether the gateway and the worker share one producer, as in `serve` (by default
    ///   each has its own, as in separate processes).
    static func run(
        rules: any GameRules = ArenaRules(),
        sharingProducer: Bool = false,
        logger: Logger = Self.logger,
        configure: (inout GatewayConfiguration) -> Void = { _ in },
        configureWorker: (inout WorkerConfiguration) -> Void = { _ in },
        _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        let cluster = try TestCluster()
        let gatewayID = "gateway-\(cluster.topics.prefix)"
        var configuration = GatewayConfiguration(
            port: 0,
            bootstrapServers: cluster.bootstrapServers,
            topicPrefix: cluster.topics.prefix,
            gatewayID: gatewayID
        )
        configure(&configuration)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
        let producer = sharingProducer ? try KafkaProducer(configuration: configuration.producerConfiguration, logger: logger) : nil
        let gateway = Gateway(configuration: configuration, rules: rules, producer: producer, logger: logger) { port in
            portContinuation.yield(port)
        }
        var workerConfiguration = WorkerConfiguration(
            bootstrapServers: cluster.bootstrapServers, topics: cluster.topics, workerID: "worker-\(cluster.topics.prefix)", rules: rules
        )
        configureWorker(&workerConfiguration)
        let worker = SimulationWorker(configuration: workerConfiguration, producer: producer, logger: logger)
        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: worker), .init(service: gateway)], logger: logger)
        )
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw TimeoutError(limit: .zero) }
                do {
                    try await body(GatewayHarness(cluster: cluster, port: port, services: services, gatewayID: gatewayID))
                } catch {
                    await services.triggerGracefulShutdown()
                    try? await group.waitForAll()
                    throw error
                }
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        } catch {
            await producer?.shutdown()
            throw error
        }
        await producer?.shutdown()
    }
}
