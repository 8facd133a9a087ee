import ArgumentParser
import Logging
import ServiceLifecycle
import TickstreamArena
import TickstreamGateway
import UnixSignals

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run a WebSocket gateway and broadcaster against a Kafka cluster."
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var simulation: SimulationOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(help: "Let players connect without a token (each connection gets a fresh player id).")
    var allowAnonymous = false

    func validate() throws {
        guard try allowAnonymous || gateway.tokenSecret.authority() != nil else {
            throw ValidationError("Give --token-secret (or --token-secret-file, or TICKSTREAM_TOKEN_SECRET), or --allow-anonymous.")
        }
    }

    func run() async throws {
        let logger = logging.bootstrap(label: "tickstream.gateway")
        let registry = MetricsBootstrap.prometheus()
        if allowAnonymous {
            logger.notice("anonymous players allowed: anyone who can reach this gateway can play")
        }
        let brokers = try kafka.requiredBrokers()
        var configuration = try gateway.configuration(bootstrapServers: brokers, kafka: kafka, allowAnonymous: allowAnonymous)
        configuration.fetchWaitMax = try await kafka.fetchWait(brokers: brokers, logger: logger)
        let service = Gateway.announcing(configuration, rules: try simulation.rules(), metricsRegistry: registry, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
