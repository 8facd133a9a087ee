import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import TickstreamProtocol

/// Opens WebSocket connections to the gateway: TCP (and TLS for `wss`), the HTTP/1.1 upgrade asking for the run's
/// subprotocol, then WebSocket frames.
///
/// Each connection's pipeline ends with the frame encoder and decoder, a fragment aggregator and whatever handlers
/// the caller adds; no Swift concurrency is involved.
struct WebSocketConnector: Sendable {
    let url: WebSocketURL
    /// Added to every upgrade request: `Sec-WebSocket-Protocol`, and the permessage-deflate offer if any.
    let headers: HTTPHeaders
    /// The largest message accepted from the server, whole or reassembled from fragments.
    let maxMessageSize: Int
    /// One context for every connection of the run; nil for `ws`.
    let tlsContext: NIOSSLContext?

    /// - Throws: NIOSSL's errors when the default client TLS configuration cannot be loaded.
    init(url: WebSocketURL, headers: HTTPHeaders, maxMessageSize: Int) throws {
        self.url = url
        self.headers = headers
        self.maxMessageSize = maxMessageSize
        tlsContext = url.usesTLS ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
    }

    /// Connects on `eventLoop` and upgrades; the future succeeds once frames can be written.
    ///
    /// - Parameters:
    ///   - eventLoop: The loop of the calling bot; the connection lives on it.
    ///   - token: Sent as `Authorization: Bearer <token>`, when the gateway requires one.
    ///   - addHandlers: Adds the bot's handlers after the WebSocket handlers; called on `eventLoop` with the
    ///     compression the server agreed to, if any.
    /// - Returns: The channel, or a failure: the connection or the upgrade failed (``BotTransportError/upgradeDeclined``).
    func connect(
        on eventLoop: any EventLoop,
        token: String?,
        addHandlers: @escaping (ChannelPipeline.SynchronousOperations, NegotiatedDeflate?) throws -> Void
    ) -> EventLoopFuture<any Channel> {
        eventLoop.assertInEventLoop()
        let addHandlers = NIOLoopBound(addHandlers, eventLoop: eventLoop)
        let upgraded = eventLoop.makePromise(of: Bool.self)
        let connected = ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try configure(channel, token: token, addHandlers: addHandlers).cascade(to: upgraded)
                }
            }
            .connect(host: url.host, port: url.port)
        // Without a channel the upgrade handler never ran; completing a completed promise does nothing.
        connected.whenFailure { upgraded.fail($0) }
        return connected.flatMap { channel in
            upgraded.futureResult.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
            .flatMapThrowing { isUpgraded in
                guard isUpgraded else {
                    channel.close(promise: nil)
                    throw BotTransportError.upgradeDeclined
                }
                return channel
            }
        }
    }

    /// The pipeline before the upgrade: TLS if any, HTTP, and the upgrader; returns whether the upgrade happened.
    private func configure(
        _ channel: any Channel,
        token: String?,
        addHandlers: NIOLoopBound<(ChannelPipeline.SynchronousOperations, NegotiatedDeflate?) throws -> Void>
    ) throws -> EventLoopFuture<Bool> {
        let pipeline = channel.pipeline.syncOperations
        if let tlsContext {
            let serverName = url.host.isIPAddress ? nil : url.host
            try pipeline.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
        }
        let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(maxFrameSize: maxMessageSize) { [maxMessageSize] channel, response in
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                let deflate = try NegotiatedDeflate(agreedIn: response, maxMessageSize: maxMessageSize)
                try pipeline.addHandler(
                    NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0,
                        maxAccumulatedFrameCount: .max,
                        maxAccumulatedFrameSize: maxMessageSize
                    )
                )
                try addHandlers.value(pipeline, deflate)
                return true
            }
        }
        var headers = self.headers
        headers.replaceOrAdd(name: "Host", value: url.hostHeader)
        if let token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers)
        return try pipeline.configureUpgradableHTTPClientPipeline(
            configuration: .init(
                upgradeConfiguration: .init(
                    upgradeRequestHead: request,
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) }
                )
            )
        )
    }
}

extension String {
    /// Whether this is an IPv4 or IPv6 address literal, which TLS must not send as a server name.
    fileprivate var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}
