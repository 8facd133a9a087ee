import ArgumentParser
import Logging
import NIOSSL
import Prometheus
import TickstreamGateway
import TickstreamKafka
import TickstreamRules

/// Where the gateway listens and who may connect.
struct GatewayOptions: ParsableArguments {
    @Option(help: "Address to listen on. Env: TICKSTREAM_HOST.")
    var host: String = Environment.value("HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port). Env: TICKSTREAM_PORT.")
    var port: Int = Environment.value("PORT").flatMap { Int($0) } ?? 8080

    @OptionGroup var tokenSecret: TokenSecretOptions

    @Option(
        name: .customLong("allowed-origin"),
        help: "An Origin browsers may connect from, e.g. https://game.example.com (repeatable; none: any). Env: TICKSTREAM_ALLOWED_ORIGINS, comma-separated."
    )
    var allowedOriginFlags: [String] = []

    @Option(help: "PEM certificate (chain) to serve wss:// with; needs --tls-key. Env: TICKSTREAM_TLS_CERTIFICATE.")
    var tlsCertificate: String?

    @Option(help: "PEM private key of --tls-certificate. Env: TICKSTREAM_TLS_KEY.")
    var tlsKey: String?

    @Option(help: "Most connections this gateway accepts.")
    var maxConnections: Int = GatewayLimits().maxConnections

    @Option(help: "Names this gateway in input records and logs (default: gateway-<random>).")
    var gatewayID: String?

    func configuration(bootstrapServers: String, kafka: KafkaOptions, allowAnonymous: Bool) throws -> GatewayConfiguration {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        var limits = GatewayLimits()
        limits.maxConnections = maxConnections
        let origins = allowedOriginFlags.isEmpty
            ? (Environment.value("ALLOWED_ORIGINS")?.split(separator: ",").map(String.init) ?? []) : allowedOriginFlags
        var configuration = GatewayConfiguration(
            host: host,
            port: port,
            bootstrapServers: bootstrapServers,
            topicPrefix: kafka.topicPrefix,
            allowAnonymous: allowAnonymous,
            tokens: try tokenSecret.authority(),
            allowedOrigins: origins,
            tls: try tls(),
            limits: limits,
            kafkaProperties: try kafka.properties()
        )
        if let gatewayID {
            configuration.gatewayID = gatewayID
        }
        return configuration
    }

    /// The server's TLS configuration from the certificate and key files, if given.
    private func tls() throws -> TLSConfiguration? {
        let certificate = tlsCertificate ?? Environment.value("TLS_CERTIFICATE")
        let key = tlsKey ?? Environment.value("TLS_KEY")
        switch (certificate, key) {
        case (nil, nil):
            return nil
        case (let certificate?, let key?):
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
                return .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            } catch {
                throw ValidationError("cannot load --tls-certificate \(certificate) and --tls-key \(key): \(error)")
            }
        default:
            throw ValidationError("--tls-certificate and --tls-key go together")
        }
    }
}

extension Gateway {
    /// The gateway of `configuration`, announcing its addresses on standard output once it listens.
    static func announcing(
        _ configuration: GatewayConfiguration,
        rules: any GameRules,
        producer: KafkaProducer? = nil,
        metricsRegistry: PrometheusCollectorRegistry,
        logger: Logger
    ) -> Gateway {
        let host = configuration.host
        return Gateway(configuration: configuration, rules: rules, producer: producer, metricsRegistry: metricsRegistry, logger: logger) { port in
            announce("WebSocket: ws://\(host):\(port)/v1/ws")
            announce("Metrics:   http://\(host):\(port)/metrics")
        }
    }
}
