import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import TickstreamGateway

@Suite struct GatewayRequestContextTests {
    /// Upgrades `context` as the gateway's WebSocket router would, up to the point where hummingbird-websocket
    /// keeps the handler (and, with it, a copy of the context) in the context's box.
    static func upgrade(_ context: GatewayRequestContext) async throws {
        let router = Router(context: GatewayRequestContext.self)
        router.ws("/ws") { _, _ in .upgrade([:]) } onUpgrade: { _, _, _ in }
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/ws"),
            body: RequestBody(buffer: ByteBuffer())
        )
        _ = try await router.buildResponder().respond(to: request, context: context)
    }

    static func context() -> GatewayRequestContext {
        GatewayRequestContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: Logger(label: "test")))
    }

    /// The box holds the context that holds the box: a context whose handler is not forgotten stays, with what it
    /// holds, after everyone let go of it; one whose handler is forgotten goes.
    @Test func anUpgradedContextIsFreedOnceItsHandlerIsForgotten() async throws {
        weak var kept: ConnectionChannel?
        weak var freed: ConnectionChannel?
        do {
            let (remembering, forgetting) = (Self.context(), Self.context())
            (kept, freed) = (remembering.connection, forgetting.connection)
            try await Self.upgrade(remembering)
            try await Self.upgrade(forgetting)
            forgetting.forgetWebSocketHandler()
        }
        #expect(kept != nil, "hummingbird-websocket's cycle: if this fails, it is gone, and the workaround can go too")
        #expect(freed == nil)
    }
}
