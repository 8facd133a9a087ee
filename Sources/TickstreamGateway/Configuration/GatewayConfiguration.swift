public import NIOSSL
public import TickstreamAccess
public import TickstreamKafka

/// Configuration of a ``Gateway``: where it listens, which Kafka it talks to, who may connect and its limits.
public struct GatewayConfiguration: Sendable {
    /// The address to bind. Default: `127.0.0.1`.
    public var host: String
    /// The port to bind; 0 picks a free one (see ``Gateway/init(configuration:rules:producer:metricsRegistry:logger:onServerRunning:)``).
    /// Default: 8080.
    public var port: Int
    /// Comma-separated `host:port` list of Kafka brokers. Default: `localhost:9092`.
    public var bootstrapServers: String
    /// The topics' prefix (`<prefix>.inputs`, `<prefix>.state`). Default: `tickstream`.
    public var topicPrefix: String
    /// Stamped on every input record, so that replay can tell gateways apart. Default: `gateway-` and a random suffix.
    public var gatewayID: String
    /// Accept connections without a token; each gets a fresh player id and may join any room. Default: `true`.
    public var allowAnonymous: Bool
    /// Verifies the signed token a connection presents (`?token=` or `Authorization: Bearer`): it names the player,
    /// its rooms and its role. A connection with a missing, forged or expired token is answered 401 before the
    /// upgrade (a missing one passes when ``allowAnonymous`` is set). Default: `nil`.
    public var tokens: TokenAuthority?
    /// The `Origin`s browsers may connect from (e.g. `https://game.example.com`); a browser connection from another
    /// is answered 403. Connections without an `Origin` (not from a browser) pass. Default: empty, any origin.
    public var allowedOrigins: [String]
    /// Serve `wss://` with this certificate and key. Default: `nil`, plain `ws://`.
    public var tls: TLSConfiguration?
    /// The subprotocols offered on `/v1/ws`, in order of preference; the first one serves clients that ask for
    /// none. Default: binary protobuf, then JSON.
    public var wireFormats: [WireFormat]
    /// Negotiate permessage-deflate when a client offers it. Default: `true`.
    public var compression: Bool
    /// How long a client may send nothing before the server pings it; a client that sends nothing, not even the
    /// pong, for as long again is closed with 1001. Default: 10 seconds.
    public var heartbeatInterval: Duration
    /// How long a closing connection may take to answer the close frame. Default: 5 seconds.
    public var closeTimeout: Duration
    /// How many ticks of each followed room the broadcaster keeps as delta baselines. Default: 32.
    public var historyLength: Int
    /// How long the gateway waits for Kafka to acknowledge an input before it answers `UNAVAILABLE`.
    /// Default: 5 seconds.
    public var deliveryTimeout: Duration
    /// How long a graceful shutdown waits for clients to close and for the producer to flush. Default: 5 seconds.
    public var shutdownTimeout: Duration
    /// What one connection may do.
    public var limits: GatewayLimits
    /// How `GET /v1/rooms` (and the spectator page at `/`) lists the live rooms.
    public var roomList: RoomListConfiguration
    /// How long a broker may hold the state consumer's empty fetch. Default: 2 ms, for the embedded cluster;
    /// ``KafkaClusterKind/fetchWaitMax`` gives the one that suits a cluster.
    public var fetchWaitMax: Duration
    /// Extra librdkafka properties for the producer and the consumer, by name.
    public var kafkaProperties: [String: String]

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        bootstrapServers: String = "localhost:9092",
        topicPrefix: String = "tickstream",
        gatewayID: String = "gateway-\(UInt32.random(in: .min ... .max))",
        allowAnonymous: Bool = true,
        tokens: TokenAuthority? = nil,
        allowedOrigins: [String] = [],
        tls: TLSConfiguration? = nil,
        wireFormats: [WireFormat] = [.protobuf, .json],
        compression: Bool = true,
        heartbeatInterval: Duration = .seconds(10),
        closeTimeout: Duration = .seconds(5),
        historyLength: Int = 32,
        deliveryTimeout: Duration = .seconds(5),
        shutdownTimeout: Duration = .seconds(5),
        limits: GatewayLimits = GatewayLimits(),
        roomList: RoomListConfiguration = RoomListConfiguration(),
        fetchWaitMax: Duration = KafkaClusterKind.embedded.fetchWaitMax,
        kafkaProperties: [String: String] = [:]
    ) {
        precondition(!wireFormats.isEmpty, "a gateway offers at least one wire format")
        precondition(historyLength > 0, "the history holds at least one tick")
        self.host = host
        self.port = port
        self.bootstrapServers = bootstrapServers
        self.topicPrefix = topicPrefix
        self.gatewayID = gatewayID
        self.allowAnonymous = allowAnonymous
        self.tokens = tokens
        self.allowedOrigins = allowedOrigins
        self.tls = tls
        self.wireFormats = wireFormats
        self.compression = compression
        self.heartbeatInterval = heartbeatInterval
        self.closeTimeout = closeTimeout
        self.historyLength = historyLength
        self.deliveryTimeout = deliveryTimeout
        self.shutdownTimeout = shutdownTimeout
        self.limits = limits
        self.roomList = roomList
        self.fetchWaitMax = fetchWaitMax
        self.kafkaProperties = kafkaProperties
    }
}

extension GatewayConfiguration {
    /// The producer the gateway logs inputs with: the gateway's id as its client id, the delivery timeout, the
    /// Kafka properties.
    public var producerConfiguration: KafkaProducerConfiguration {
        KafkaProducerConfiguration(
            bootstrapServers: bootstrapServers,
            clientID: gatewayID,
            deliveryTimeout: deliveryTimeout,
            properties: kafkaProperties
        )
    }
}
