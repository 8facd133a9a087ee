import ArgumentParser
import Logging
import ServiceLifecycle
import TickstreamGateway
import TickstreamKafka
import TickstreamProtocol
import TickstreamSimulation
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run everything in one process: an embedded Kafka cluster (unless --brokers), the topics, a worker and a gateway."
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var simulation: SimulationOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "Brokers of the embedded Kafka cluster (more brokers: more replication to watch, and more fetch traffic on one machine).")
    var embeddedBrokers: Int = 1

    @Option(help: "Partitions of the topics created on the embedded cluster.")
    var partitions: Int32 = 4

    func run() async throws {
        let logger = logging.bootstrap(label: "tickstream.serve")
        let registry = MetricsBootstrap.prometheus()
        var services: [any Service] = []

        let bootstrapServers: String
        let fetchWait: Duration
        if let brokers = kafka.configuredBrokers {
            bootstrapServers = brokers
            fetchWait = try await kafka.fetchWait(brokers: brokers, logger: logger)
        } else {
            let cluster = try EmbeddedKafkaCluster(brokers: embeddedBrokers, logger: logger)
            try cluster.createTopics(kafka.topics.specifications(partitions: partitions, replicationFactor: Int16(min(embeddedBrokers, 3))))
            services.append(EmbeddedKafkaService(cluster: cluster))
            bootstrapServers = cluster.bootstrapServers
            fetchWait = KafkaClusterKind.embedded.fetchWaitMax
        }
        announce("Kafka:     \(bootstrapServers)   (kcat -b \(bootstrapServers) -L)")

        let anonymous = try gateway.tokenSecret.authority() == nil
        if anonymous {
            logger.notice("anonymous players allowed (serve is for development; give --token-secret to require a token)")
        }
        var configuration = try gateway.configuration(bootstrapServers: bootstrapServers, kafka: kafka, allowAnonymous: anonymous)
        configuration.fetchWaitMax = fetchWait
        var workerConfiguration = try simulation.workerConfiguration(bootstrapServers: bootstrapServers, kafka: kafka)
        workerConfiguration.fetchWaitMax = fetchWait
        let rules = try simulation.rules()
        // One producer for the gateway's inputs and the worker's states and checkpoints, with the gateway's settings
        // (its delivery timeout too): one Kafka client's threads and requests instead of two.
        let producer = try KafkaProducer(configuration: configuration.producerConfiguration, logger: logger)
        services.append(SharedProducerService(producer: producer, flushTimeout: configuration.shutdownTimeout))
        services.append(SimulationWorker(configuration: workerConfiguration, producer: producer, logger: logger))
        services.append(Gateway.announcing(configuration, rules: rules, producer: producer, metricsRegistry: registry, logger: logger))

        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
