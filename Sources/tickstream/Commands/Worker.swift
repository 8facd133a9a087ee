import ArgumentParser
import Logging
import ServiceLifecycle
import TickstreamArena
import TickstreamGateway
import TickstreamSimulation
import UnixSignals

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a simulation worker: a member of the consumer group on the inputs topic."
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var simulation: SimulationOptions
    @OptionGroup var logging: LoggingOptions

    @Option(name: .customLong("metrics-port"), help: "Serve /metrics (Prometheus) on this port (0: any free port); none by default. Env: TICKSTREAM_METRICS_PORT.")
    var metricsPortFlag: Int?

    /// The port from the flag, else the environment.
    var metricsPort: Int? { metricsPortFlag ?? Environment.value("METRICS_PORT").flatMap { Int($0) } }

    @Option(help: "Address of the /metrics endpoint. Env: TICKSTREAM_METRICS_HOST.")
    var metricsHost: String = Environment.value("METRICS_HOST") ?? "127.0.0.1"

    func validate() throws {
        if let metricsPort, !(0...65_535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0 to 65535") }
    }

    func run() async throws {
        let logger = logging.bootstrap(label: "tickstream.worker")
        // Before the worker creates its metrics; without an endpoint they are no-ops.
        let registry = metricsPort.map { _ in MetricsBootstrap.prometheus() }
        let brokers = try kafka.requiredBrokers()
        var configuration = try simulation.workerConfiguration(bootstrapServers: brokers, kafka: kafka)
        configuration.fetchWaitMax = try await kafka.fetchWait(brokers: brokers, logger: logger)
        var services: [any Service] = [SimulationWorker(configuration: configuration, logger: logger)]
        if let metricsPort, let registry {
            let host = metricsHost
            services.append(MetricsServer(host: host, port: metricsPort, registry: registry, logger: logger) { port in
                announce("Metrics:   http://\(host):\(port)/metrics")
            })
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// How rooms are simulated.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Ticks per second of each room.")
    var tickRate: Int = 30

    @Option(help: "Most players in a room.")
    var maxPlayers: Int = 32

    @Option(help: "A keyframe state record every this many ticks.")
    var keyframeInterval: UInt64 = 30

    @Option(help: "A checkpoint of each room every this many ticks.")
    var checkpointInterval: UInt64 = 150

    @Option(help: "Seconds a room without players stays open.")
    var idleTimeout: Int = 30

    @Option(help: "Names this worker in logs and dead letters (default: worker-<pid>).")
    var workerID: String?

    /// The game: the built-in arena at the chosen rate and capacity.
    func rules() throws -> ArenaRules {
        guard (1...1_000).contains(tickRate) else { throw ValidationError("--tick-rate must be 1 to 1000") }
        guard maxPlayers > 0 else { throw ValidationError("--max-players must be positive") }
        return ArenaRules(tickRate: tickRate, maxPlayers: maxPlayers)
    }

    func workerConfiguration(bootstrapServers: String, kafka: KafkaOptions) throws -> WorkerConfiguration {
        guard keyframeInterval > 0, checkpointInterval > 0 else { throw ValidationError("intervals must be positive") }
        var configuration = WorkerConfiguration(
            bootstrapServers: bootstrapServers,
            topics: kafka.topics,
            rules: try rules(),
            keyframeInterval: keyframeInterval,
            checkpointInterval: checkpointInterval,
            idleTimeout: .seconds(idleTimeout),
            kafkaProperties: try kafka.properties()
        )
        if let workerID {
            configuration.workerID = workerID
        }
        return configuration
    }
}
