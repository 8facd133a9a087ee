import NIOHTTP1

/// What `tickstream bots` runs: how many players, where, how fast, for how long, and the scenario.
package struct BotConfiguration: Sendable {
    /// The gateway's WebSocket endpoint, e.g. `ws://127.0.0.1:8080/v1/ws`.
    package var url: String
    /// Synthetic players (abusive connections included). Default: 100.
    package var players: Int
    /// Rooms the players are spread over, in equal blocks. Default: 4.
    package var rooms: Int
    /// Inputs per second per player. Default: 30, the arena's tick rate.
    package var inputRate: Double
    /// How long the measurement lasts, after the warm-up. Default: 30 s.
    package var duration: Duration
    /// Connecting and settling time that is not measured. Default: 5 s.
    package var warmup: Duration
    /// Speak `tickstream.v1.json` instead of `tickstream.v1.proto`. Default: false.
    package var isJSON: Bool
    /// Offer permessage-deflate, and compress every message once it is agreed, as browsers do. Default: false.
    package var offersDeflate: Bool
    /// Default: steady.
    package var scenario: BotScenario
    /// Rooms are named `<roomPrefix>-<n>`; a fresh prefix per run keeps runs from meeting. Default: "bots".
    package var roomPrefix: String
    /// How long a slow reader pauses after each message it reads. Default: 250 ms.
    package var slowReadDelay: Duration
    /// Size of an oversized abusive frame; over the gateway's 16 KiB limit. Default: 20 KiB.
    package var oversizedFrameSize: Int
    /// Largest server message accepted. Default: 1 MiB.
    package var maxMessageSize: Int
    /// Event loop threads for all connections. Default: 1.
    package var eventLoopThreads: Int
    /// The tokens the bots present, when the gateway requires them. Default: none.
    package var credentials: BotCredentials

    package init(
        url: String,
        players: Int = 100,
        rooms: Int = 4,
        inputRate: Double = 30,
        duration: Duration = .seconds(30),
        warmup: Duration = .seconds(5),
        isJSON: Bool = false,
        offersDeflate: Bool = false,
        scenario: BotScenario = .steady,
        roomPrefix: String = "bots",
        slowReadDelay: Duration = .milliseconds(250),
        oversizedFrameSize: Int = 20 << 10,
        maxMessageSize: Int = 1 << 20,
        eventLoopThreads: Int = 1,
        credentials: BotCredentials = .none
    ) {
        self.url = url
        self.players = players
        self.rooms = rooms
        self.inputRate = inputRate
        self.duration = duration
        self.warmup = warmup
        self.isJSON = isJSON
        self.offersDeflate = offersDeflate
        self.scenario = scenario
        self.roomPrefix = roomPrefix
        self.slowReadDelay = slowReadDelay
        self.oversizedFrameSize = oversizedFrameSize
        self.maxMessageSize = maxMessageSize
        self.eventLoopThreads = eventLoopThreads
        self.credentials = credentials
    }

    /// The `Sec-WebSocket-Protocol` to ask for.
    var subprotocol: String {
        isJSON ? "tickstream.v1.json" : "tickstream.v1.proto"
    }

    /// The extra headers of every upgrade request: the subprotocol, and the permessage-deflate offer if any.
    var headers: HTTPHeaders {
        var headers: HTTPHeaders = ["Sec-WebSocket-Protocol": subprotocol]
        if offersDeflate {
            headers.add(name: "Sec-WebSocket-Extensions", value: "permessage-deflate; client_max_window_bits")
        }
        return headers
    }
}
