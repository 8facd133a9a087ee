import ArgumentParser
import TickstreamGateway

/// Where the gateway listens and who may connect.
struct GatewayOptions: ParsableArguments {
    @Option(help: "Address to listen on. Env: TICKSTREAM_HOST.")
    var host: String = Environment.value("HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port). Env: TICKSTREAM_PORT.")
    var port: Int = Environment.value("PORT").flatMap { Int($0) } ?? 8080

    @Option(name: .customLong("shared-secret"), help: "Shared secret a connection must present as ?token= or a Bearer token. Env: TICKSTREAM_SHARED_SECRET.")
    var sharedSecretFlag: String?

    /// The secret from the flag, else the environment.
    var sharedSecret: String? { sharedSecretFlag ?? Environment.value("SHARED_SECRET") }

    @Option(help: "Most connections this gateway accepts.")
    var maxConnections: Int = GatewayLimits().maxConnections

    @Option(help: "Names this gateway in input records and logs (default: gateway-<random>).")
    var gatewayID: String?

    func configuration(bootstrapServers: String, kafka: KafkaOptions, allowAnonymous: Bool) throws -> GatewayConfiguration {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        var limits = GatewayLimits()
        limits.maxConnections = maxConnections
        var configuration = GatewayConfiguration(
            host: host,
            port: port,
            bootstrapServers: bootstrapServers,
            topicPrefix: kafka.topicPrefix,
            allowAnonymous: allowAnonymous,
            sharedSecret: sharedSecret,
            limits: limits,
            kafkaProperties: try kafka.properties()
        )
        if let gatewayID {
            configuration.gatewayID = gatewayID
        }
        return configuration
    }
}
