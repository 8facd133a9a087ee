public import Logging
public import Prometheus
public import ServiceLifecycle
import Hummingbird
import NIOCore

/// `/metrics` (Prometheus) and `/healthz` on their own port, for a process without a gateway (`tickstream worker`).
///
/// A `Service`: it stops listening on graceful shutdown.
public struct MetricsServer: Service {
    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    let onServerRunning: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The port to bind; 0 picks a free one.
    ///   - registry: The registry the process bootstrapped swift-metrics with.
    ///   - onServerRunning: Called with the bound port once the server listens.
    public init(
        host: String,
        port: Int,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.logger = logger
        self.onServerRunning = onServerRunning
    }

    public func run() async throws {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { [registry] _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "tickstream"),
            onServerRunning: { [port, onServerRunning] channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
        try await application.run()
    }
}
