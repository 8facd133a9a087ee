import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of the gateway's routes: Hummingbird's, plus the connection's channel, so that a
/// connection whose client stopped reading can be cut off (a stalled socket blocks even a close frame).
struct GatewayRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The TCP connection the request arrived on; after an upgrade, the WebSocket's.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
