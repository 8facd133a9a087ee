import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of the gateway's routes: Hummingbird's, plus the connection's channel, so that a
/// connection whose client stopped reading can be cut off (a stalled socket blocks even a close frame).
struct GatewayRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let connection: ConnectionChannel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        connection = ConnectionChannel(source.channel)
    }
}

/// The TCP connection a request arrived on (after an upgrade, the WebSocket's), held weakly.
///
/// hummingbird-websocket 2.8.1 keeps each upgraded request's context in a reference cycle (the context's
/// `webSocket` box holds the context), so a strong reference here would keep every closed connection's channel,
/// its pipeline and its buffers alive.
final class ConnectionChannel: Sendable {
    weak let channel: (any Channel)?

    init(_ channel: any Channel) {
        self.channel = channel
    }
}
