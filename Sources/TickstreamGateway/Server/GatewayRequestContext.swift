import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// The request context of the gateway's routes: Hummingbird's, plus the connection's channel, so that a
/// connection whose client stopped reading can be cut off (a stalled socket blocks even a close frame).
struct GatewayRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let connection: ConnectionChannel
    private let webSocketSlot = WebSocketSlot()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        connection = ConnectionChannel(source.channel)
    }

    var webSocket: WebSocketHandlerReference<Self> { webSocketSlot.reference }

    /// Lets go of the upgraded connection's handler once the connection has ended.
    ///
    /// hummingbird-websocket 2.8.1 keeps the handler in a box that the context holds, together with a copy of the
    /// context: a reference cycle that kept every upgraded request's context (about 0.9 KB) after its connection
    /// closed. Swapping in an empty box leaves the old one, and the cycle, unreferenced.
    func forgetWebSocketHandler() {
        webSocketSlot.reset()
    }
}

/// The box hummingbird-websocket keeps an upgraded request's handler in, replaceable.
private final class WebSocketSlot: Sendable {
    private let current = Mutex(WebSocketHandlerReference<GatewayRequestContext>())

    var reference: WebSocketHandlerReference<GatewayRequestContext> { current.withLock { $0 } }

    func reset() {
        current.withLock { $0 = WebSocketHandlerReference() }
    }
}

/// The TCP connection a request arrived on (after an upgrade, the WebSocket's), held weakly.
///
/// hummingbird-websocket 2.8.1 keeps each upgraded request's context in a reference cycle (the context's
/// `webSocket` box holds the context) until ``GatewayRequestContext/forgetWebSocketHandler()``; an upgrade that
/// never reaches its handler keeps it for good, and a strong reference here would then keep the channel, its
/// pipeline and its buffers alive too.
final class ConnectionChannel: Sendable {
    weak let channel: (any Channel)?

    init(_ channel: any Channel) {
        self.channel = channel
    }
}
