import Glibc
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization

/// The server side of `io-floor` on SwiftNIO, as the gateway's sockets are served: event loops that drop what they
/// read and write each room's snapshot to its players once a period, optionally through NIO's WebSocket frame
/// handlers (no upgrade handshake: the frames flow at once).
///
/// What it costs above the bare epoll loop is SwiftNIO's share of the gateway's event-loop time; what the gateway's
/// event loops cost above it is Tickstream's.
final class NIOFloorServer: Sendable {
    /// The name prefix of the group's threads, whose CPU is the server's.
    static let threadName = "NIO-ELT-"

    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let webSocket: Bool
    private let activity: ServerActivity
    private let writers = Mutex<[RoomWriter]>([])

    /// The port clients connect to.
    var port: UInt16 { UInt16(listener.localAddress?.port ?? 0) }
    var reads: Int { activity.reads.load(ordering: .relaxed) }
    var writes: Int { activity.writes.load(ordering: .relaxed) }

    init(webSocket: Bool, threads: Int) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let activity = ServerActivity()
        self.group = group
        self.webSocket = webSocket
        self.activity = activity
        listener = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    if webSocket {
                        try operations.addHandler(WebSocketFrameEncoder())
                        try operations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder()))
                        try operations.addHandler(ReadSink<WebSocketFrame>(activity: activity))
                    } else {
                        try operations.addHandler(ReadSink<ByteBuffer>(activity: activity))
                    }
                    activity.accepted.withLock { $0.append(channel) }
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .wait()
    }

    /// Waits until `count` connections are open.
    func waitForConnections(_ count: Int) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while activity.accepted.withLock({ $0.count }) < count {
            guard ContinuousClock.now < deadline else {
                throw BenchFailure("only \(activity.accepted.withLock { $0.count }) of \(count) connections were accepted")
            }
            usleep(1000)
        }
    }

    /// Writes a `frameBytes` snapshot to each room's players once a `period`, each room at its own phase, until
    /// ``stop()``. Each event loop writes to its own channels, so no write crosses threads: the least NIO can do.
    func startRooms(of roomSize: Int, frameBytes: Int, period: Double) {
        let channels = activity.accepted.withLock { $0 }
        let rooms = stride(from: 0, to: channels.count, by: roomSize).map {
            Array(channels[$0..<min(channels.count, $0 + roomSize)])
        }
        let payload = ByteBuffer(repeating: 0x2A, count: webSocket ? frameBytes - 2 : frameBytes)
        let start = NIODeadline.now()
        let nanoseconds = Int64(period * 1e9)
        var writers: [RoomWriter] = []
        for (index, room) in rooms.enumerated() {
            let phase = start + .nanoseconds(nanoseconds * Int64(index) / Int64(rooms.count))
            for (_, members) in Dictionary(grouping: room, by: { ObjectIdentifier($0.eventLoop) }) {
                let writer = RoomWriter(
                    channels: members, payload: payload, webSocket: webSocket, period: .nanoseconds(nanoseconds), activity: activity
                )
                members[0].eventLoop.execute { writer.start(at: phase) }
                writers.append(writer)
            }
        }
        self.writers.withLock { $0 = writers }
    }

    /// Stops the rooms, closes the connections and the event loops.
    func stop() throws {
        for writer in writers.withLock({ $0 }) {
            try writer.eventLoop.submit { writer.stop() }.wait()
        }
        let channels = activity.accepted.withLock { $0 }
        for channel in channels {
            try? channel.close().wait()
        }
        try listener.close().wait()
        try group.syncShutdownGracefully()
    }
}

/// The players of one room on one event loop, written to once a period at fixed instants (no drift).
private final class RoomWriter: @unchecked Sendable {
    let eventLoop: any EventLoop
    // Touched on `eventLoop` only.
    private let channels: [any Channel]
    private let payload: ByteBuffer
    private let webSocket: Bool
    private let period: TimeAmount
    private let activity: ServerActivity
    private var next: Scheduled<Void>?

    init(channels: [any Channel], payload: ByteBuffer, webSocket: Bool, period: TimeAmount, activity: ServerActivity) {
        self.eventLoop = channels[0].eventLoop
        self.channels = channels
        self.payload = payload
        self.webSocket = webSocket
        self.period = period
        self.activity = activity
    }

    func start(at deadline: NIODeadline) {
        next = eventLoop.scheduleTask(deadline: deadline) { self.write(due: deadline) }
    }

    func stop() {
        next?.cancel()
        next = nil
    }

    private func write(due: NIODeadline) {
        for channel in channels {
            if webSocket {
                channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: payload), promise: nil)
            } else {
                channel.writeAndFlush(payload, promise: nil)
            }
        }
        activity.writes.add(channels.count, ordering: .relaxed)
        start(at: due + period)
    }
}

/// The server's connections, and what they read and wrote, counted from every event loop.
private final class ServerActivity: Sendable {
    let accepted = Mutex<[any Channel]>([])
    let reads = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
}

/// Counts what a channel reads and drops it.
private final class ReadSink<Frame>: ChannelInboundHandler, Sendable {
    typealias InboundIn = Frame

    private let activity: ServerActivity

    init(activity: ServerActivity) { self.activity = activity }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.reads.add(1, ordering: .relaxed)
    }
}
