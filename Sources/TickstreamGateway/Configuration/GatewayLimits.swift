/// What one gateway and each of its connections may do, and the answer when they do more.
public struct GatewayLimits: Sendable, Hashable {
    /// Open WebSocket connections; one more is told `SERVER_FULL` and closed. Default: 10,000.
    public var maxConnections: Int
    /// The largest WebSocket frame, and message, a client may send; larger closes with 1009. Default: 16 KiB.
    public var maxMessageSize: Int
    /// Sustained inputs (and relays) per second per player. Default: 60.
    public var inputsPerSecond: Double
    /// Inputs a player may send in a burst above the sustained rate. Default: 30.
    public var inputBurst: Double
    /// Throttled inputs a player may accumulate (the count drains at a tenth of ``inputsPerSecond``) before the
    /// connection closes with 1008. Default: 120, about two seconds of sending at twice the rate.
    public var throttleTolerance: Double
    /// Malformed messages after which the connection closes with 1007 (each one before is answered with an error).
    /// Default: 3.
    public var maxMalformedMessages: Int
    /// The largest relay payload, in bytes. Default: 1 KiB.
    public var maxRelayPayload: Int
    /// The longest relay kind, in characters. Default: 32.
    public var maxRelayKindLength: Int
    /// Messages (other than snapshots, of which only the newest waits) queued for a connection that does not read
    /// them; past it the connection closes with 1008. Default: 256.
    public var outboxCapacity: Int
    /// How long one write to a client may wait for the client to read; past it the connection is cut off
    /// without a close frame (which could not be written either). Default: 10 seconds.
    ///
    /// A client that never reads would otherwise hold its connection, its buffers and its place in the room
    /// until TCP gives up, and block a graceful shutdown.
    public var writeTimeout: Duration
    /// The kernel's send buffer for each connection, in bytes (`SO_SNDBUF`; Linux doubles it). Default: 32 KiB.
    ///
    /// Linux grows a socket's send buffer up to megabytes for a peer that does not read: seconds of stale
    /// snapshots that a slow client would then have to read through, and memory a client that never reads would
    /// hold. A small buffer makes the writer wait instead, so that the outbox skips to the newest snapshot.
    public var socketSendBuffer: Int

    public init(
        maxConnections: Int = 10_000,
        maxMessageSize: Int = 1 << 14,
        inputsPerSecond: Double = 60,
        inputBurst: Double = 30,
        throttleTolerance: Double = 120,
        maxMalformedMessages: Int = 3,
        maxRelayPayload: Int = 1024,
        maxRelayKindLength: Int = 32,
        outboxCapacity: Int = 256,
        writeTimeout: Duration = .seconds(10),
        socketSendBuffer: Int = 32 * 1024
    ) {
        self.maxConnections = maxConnections
        self.maxMessageSize = maxMessageSize
        self.inputsPerSecond = inputsPerSecond
        self.inputBurst = inputBurst
        self.throttleTolerance = throttleTolerance
        self.maxMalformedMessages = maxMalformedMessages
        self.maxRelayPayload = maxRelayPayload
        self.maxRelayKindLength = maxRelayKindLength
        self.outboxCapacity = outboxCapacity
        self.writeTimeout = writeTimeout
        self.socketSendBuffer = socketSendBuffer
    }
}
