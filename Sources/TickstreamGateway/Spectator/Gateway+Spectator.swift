import Hummingbird
import NIOCore
import TickstreamKafka
import TickstreamProtocol

extension Gateway {
    /// `GET /`: the spectator page; `GET /v1/rooms`: the live rooms it lists, as JSON.
    func addSpectatorRoutes(to router: Router<BasicRequestContext>, context: ServerContext) {
        let configuration = context.configuration
        let rooms = RoomDirectory(
            consumerConfiguration: KafkaConsumerConfiguration(
                bootstrapServers: configuration.bootstrapServers,
                clientID: "\(configuration.gatewayID)-rooms",
                // A read waits for records that exist already: an empty fetch need not linger.
                fetchWaitMax: .milliseconds(10),
                properties: configuration.kafkaProperties
            ),
            producer: context.producer,
            topic: context.layout.checkpoints,
            configuration: configuration.roomList,
            metrics: context.metrics,
            logger: context.logger
        )
        let page = ByteBuffer(string: SpectatorPage.html)
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: page)
            )
        }
        router.get("/v1/rooms") { request, requestContext -> Response in
            let listing: RoomListing
            do {
                listing = try await rooms.listing()
            } catch {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "\(error)\n")))
            }
            return try requestContext.responseEncoder.encode(listing, from: request, context: requestContext)
        }
    }
}
