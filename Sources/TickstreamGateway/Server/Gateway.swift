public import Logging
public import Prometheus
public import ServiceLifecycle
public import TickstreamRules
public import TickstreamKafka
import TickstreamProtocol

/// The WebSocket gateway: serves `/v1/ws`, logs what players do to `<prefix>.inputs`, and broadcasts
/// `<prefix>.state` to the players of each room; also `/healthz`, `/readyz` and `/metrics`.
///
/// A `Service`: run it in a `ServiceGroup`. On graceful shutdown it stops admitting players, closes every
/// connection with 1001 (going away) and logs their leaves, stops the HTTP server, then flushes the producer
/// (unless the producer was given to it).
public struct Gateway: Service {
    let configuration: GatewayConfiguration
    let rules: any GameRules
    let producer: KafkaProducer?
    let metricsRegistry: PrometheusCollectorRegistry
    let logger: Logger
    let onServerRunning: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - configuration: Where to listen, which Kafka, limits.
    ///   - rules: The game: its schema for snapshots, its limits and its input validation.
    ///   - producer: The producer to log inputs with, for a process that runs a worker too (one Kafka client
    ///     instead of two: fewer threads and requests). Its owner shuts it down after the gateway has stopped.
    ///     Nil (the default): the gateway makes its own from `configuration` and shuts it down when it stops.
    ///   - metricsRegistry: The registry `/metrics` renders; the one the process bootstrapped swift-metrics with.
    ///   - logger: Where the gateway logs, with room and player ids as metadata.
    ///   - onServerRunning: Called with the bound port once the server listens (useful with port 0).
    public init(
        configuration: GatewayConfiguration,
        rules: any GameRules,
        producer: KafkaProducer? = nil,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusMetricsFactory.defaultRegistry,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.rules = rules
        self.producer = producer
        self.metricsRegistry = metricsRegistry
        self.logger = logger
        self.onServerRunning = onServerRunning
    }

    public func run() async throws {
        let layout = TopicLayout(prefix: configuration.topicPrefix)
        let producer = try self.producer ?? KafkaProducer(configuration: configuration.producerConfiguration, logger: logger)
        let ownsProducer = self.producer == nil
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(
                configuration: KafkaConsumerConfiguration(
                    bootstrapServers: configuration.bootstrapServers,
                    clientID: configuration.gatewayID,
                    fetchWaitMax: configuration.fetchWaitMax,
                    properties: configuration.kafkaProperties
                ),
                logger: logger
            )
        } catch {
            if ownsProducer { await producer.shutdown(flushTimeout: .zero) }
            throw error
        }
        let metrics = GatewayMetrics()
        let broadcaster = Broadcaster(
            consumer: consumer,
            producer: producer,
            topic: layout.state,
            rules: rules,
            historyLength: configuration.historyLength,
            metrics: metrics,
            logger: logger
        )
        let registry = SessionRegistry(maxConnections: configuration.limits.maxConnections)
        if configuration.allowAnonymous {
            logger.notice("Anonymous players are allowed: anyone who reaches this gateway can play")
        }
        do {
            let application = try makeApplication(
                context: ServerContext(
                    configuration: configuration,
                    rules: rules,
                    layout: layout,
                    producer: producer,
                    broadcaster: broadcaster,
                    registry: registry,
                    inputLog: InputLog(producer: producer, topic: layout.inputs, gatewayID: configuration.gatewayID, metrics: metrics),
                    metrics: metrics,
                    metricsRegistry: metricsRegistry,
                    logger: logger
                )
            )
            // Shut down in reverse order: close the clients first, then the HTTP server, then the state consumer.
            let services = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [
                        .init(service: broadcaster),
                        .init(service: application),
                        .init(service: SessionDrain(registry: registry, timeout: configuration.shutdownTimeout)),
                    ],
                    logger: logger
                )
            )
            try await services.run()
        } catch {
            await consumer.close()
            if ownsProducer { await producer.shutdown(flushTimeout: configuration.shutdownTimeout) }
            throw error
        }
        await consumer.close()
        if ownsProducer { await producer.shutdown(flushTimeout: configuration.shutdownTimeout) }
    }
}
