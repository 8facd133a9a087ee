import CoreMetrics
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Prometheus
import TickstreamKafka
import TickstreamProtocol
import TickstreamRules

/// What the HTTP routes and the connections share.
struct ServerContext: Sendable {
    let configuration: GatewayConfiguration
    let rules: any GameRules
    let layout: TopicLayout
    let producer: KafkaProducer
    let broadcaster: Broadcaster
    let registry: SessionRegistry
    let inputLog: InputLog
    let metrics: GatewayMetrics
    let metricsRegistry: PrometheusCollectorRegistry
    let logger: Logger
}

extension Gateway {
    /// The Hummingbird application: the WebSocket endpoint and the operational routes.
    ///
    /// - Throws: NIOSSL's error when the TLS configuration is unusable (e.g. the key does not match the certificate).
    func makeApplication(context: ServerContext) throws -> some ApplicationProtocol {
        let configuration = context.configuration
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in try await readiness(context) }
        addSpectatorRoutes(to: router, context: context)
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: context.metricsRegistry.emitToBuffer()))
            )
        }
        // Reached when the WebSocket router declined the upgrade: say why.
        router.get("/v1/ws") { request, _ -> Response in
            let handshake = Handshake(request: request, configuration: configuration)
            if let refusal = handshake.refusal {
                context.logger.debug("Connection refused", metadata: ["refusal": "\(refusal)"])
                return Response(status: refusal.status)
            }
            guard handshake.format != nil else { return Response(status: .badRequest) }
            return Response(status: .upgradeRequired)
        }

        let webSocketRouter = Router(context: GatewayRequestContext.self)
        webSocketRouter.ws("/v1/ws") { request, requestContext in
            let handshake = Handshake(request: request, configuration: configuration)
            guard handshake.refusal == nil, handshake.format != nil else { return .dontUpgrade }
            if let channel = requestContext.connection.channel {
                let (maxMessageSize, deflate) = (configuration.limits.maxMessageSize, handshake.deflate)
                try await channel.eventLoop.submit {
                    let installer = MessageReaderInstaller(maxMessageSize: maxMessageSize, deflate: deflate)
                    try channel.pipeline.syncOperations.addHandler(installer)
                }.get()
            }
            return .upgrade(handshake.responseHeaders)
        } onUpgrade: { inbound, outbound, webSocketContext in
            defer { webSocketContext.requestContext.forgetWebSocketHandler() }
            let admission = admit(webSocketContext.request, channel: webSocketContext.requestContext.connection, context: context)
            try await serve(admission, inbound: inbound, outbound: outbound, context: context)
        }

        let webSocketServer: HTTPServerBuilder = .http1WebSocketUpgrade(
            webSocketRouter: webSocketRouter,
            configuration: .init(
                ws: WebSocketServerConfiguration(
                    maxFrameSize: configuration.limits.maxMessageSize,
                    // None: the gateway negotiates permessage-deflate itself and applies it on the event loop.
                    extensions: [],
                    autoPing: .disabled,  // each connection keeps its own `Heartbeat`, without a task
                    closeTimeout: configuration.closeTimeout
                )
            )
        )
        return Application(
            router: router,
            server: try configuration.tls.map { try .tls(webSocketServer, tlsConfiguration: $0) } ?? webSocketServer,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "tickstream"
            ),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? configuration.port)
            },
            logger: context.logger
        )
    }

    /// What becomes of an upgraded connection.
    private enum Admission {
        /// The handshake no longer passes (a token that expired since the upgrade was accepted, say).
        case declined
        /// Refused with `error`, encoded with `codec`, and a close with `code`: the gateway is full or shutting down.
        case refused(error: ServerMessage, code: WebSocketErrorCode, codec: MessageCodec)
        /// Registered, to run until it closes.
        case admitted(Connection)
    }

    /// Checks the handshake again, registers the session, and bounds the socket's send buffer.
    ///
    /// Synchronous and out of line, so that the handshake's and the session's temporaries live on the thread's
    /// stack: inlined into the upgrade closure, they took space in its async frame, which each connection holds
    /// while it is open.
    @inline(never)
    private func admit(_ request: Request, channel: ConnectionChannel, context: ServerContext) -> Admission {
        let handshake = Handshake(request: request, configuration: context.configuration)
        guard handshake.refusal == nil, let format = handshake.format else { return .declined }
        let identity = handshake.identity()
        var logger = context.logger
        logger[metadataKey: "player"] = "\(identity.player)"
        let session = Session(
            player: identity.player,
            format: format,
            machine: SessionStateMachine(identity: identity, rules: context.rules, limits: context.configuration.limits, now: .now),
            outboxCapacity: context.configuration.limits.outboxCapacity
        )
        let codec = MessageCodec(format: format)
        if let refusal = context.registry.register(session) {
            context.metrics.connectionsRefused.increment()
            return switch refusal {
            case .full:
                .refused(error: .error(.serverFull, "the gateway is at its connection limit"), code: .init(codeNumber: 1013), codec: codec)
            case .shuttingDown:
                .refused(error: .error(.shuttingDown, "the gateway is shutting down"), code: .goingAway, codec: codec)
            }
        }
        context.metrics.connections.increment()
        logger.debug("Connected", metadata: ["format": "\(format)"])
        let sendBuffer = SocketOptionValue(context.configuration.limits.socketSendBuffer)
        channel.channel?.setOption(.socketOption(.so_sndbuf), value: sendBuffer).whenFailure { [logger] error in
            logger.debug("Cannot bound the socket's send buffer", metadata: ["error": "\(error)"])
        }
        return .admitted(
            Connection(
                session: session,
                channel: channel,
                codec: codec,
                broadcaster: context.broadcaster,
                inputLog: context.inputLog,
                limits: context.configuration.limits,
                heartbeat: Heartbeat(interval: context.configuration.heartbeatInterval),
                deflate: handshake.deflate,
                metrics: context.metrics,
                logger: logger
            )
        )
    }

    /// Runs an admitted connection until it closes, and forgets it; tells a refused one why.
    private func serve(
        _ admission: Admission,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        context: ServerContext
    ) async throws {
        switch admission {
        case .declined:
            return
        case .refused(let error, let code, let codec):
            try await outbound.write(.custom(codec.encode([error])))
            try await outbound.close(code, reason: nil)
        case .admitted(let connection):
            defer {
                context.registry.remove(connection.session)
                context.metrics.connections.decrement()
            }
            try await withTaskExecutorPreference(connection.channel.channel.map { EventLoopExecutor($0.eventLoop) }) {
                try await connection.run(inbound: inbound, outbound: outbound)
            }
        }
    }

    /// Ready when Kafka answers and both topics exist with the same partition count.
    private func readiness(_ context: ServerContext) async throws -> Response {
        do {
            let inputs = try await context.producer.partitionCount(topic: context.layout.inputs, timeout: .seconds(2))
            let state = try await context.producer.partitionCount(topic: context.layout.state, timeout: .seconds(2))
            guard inputs == state else {
                return Response(
                    status: .serviceUnavailable,
                    body: .init(byteBuffer: ByteBuffer(string: "inputs has \(inputs) partitions, state \(state)\n"))
                )
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        } catch {
            return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "\(error)\n")))
        }
    }
}
