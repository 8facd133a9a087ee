import ArgumentParser
import CEpoll
import Glibc
import NIOCore

/// The least CPU any server can spend on arena-N's traffic on this machine: the same connections, frame sizes and
/// rates, served by a plain epoll loop that only reads and writes; and, with `--server`, what SwiftNIO's event loops
/// and its WebSocket frame handlers add to that.
///
/// Server-side CPU per client-second is the figure to hold `tools/bench`'s "server CPU per client-second" against:
/// what the bare loop costs no server of these sockets can save; what the gateway's event loops cost above the NIO
/// WebSocket server is Tickstream's own work there. The clients are always a bare epoll loop on a thread of their own,
/// each side timed alone, over loopback TCP as the bench's bots and gateway are.
struct IOFloorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "io-floor",
        abstract: "CPU of the socket I/O of arena-N: small inputs up, snapshots down, with the least work on either side."
    )

    enum ServerKind: String, ExpressibleByArgument, CaseIterable {
        case epoll
        case nio
        case nioWebSocket = "nio-websocket"
    }

    @Option(help: "The server: a bare epoll loop, SwiftNIO event loops, or those with NIO's WebSocket frame handlers.")
    var server: ServerKind = .epoll

    @Option(help: "Event loops of a NIO server (the gateway runs one a core).")
    var threads = System.coreCount

    @Option(help: "Connections (players).")
    var players = 500

    @Option(help: "Players per room: the server writes a room's snapshots together, at the room's own phase.")
    var roomSize = 25

    @Option(help: "Inputs per player and snapshots per room per second.")
    var rate = 30

    @Option(help: "Bytes of an input frame (the arena's input: 12 bytes of protobuf, a 2-byte header and a 4-byte mask).")
    var inputBytes = 18

    @Option(help: "Bytes of a snapshot frame (arena-500: 2.78 KB/s of messages at 30 a second, 93 bytes, and a 2-byte header).")
    var snapshotBytes = 95

    @Option(help: "Seconds measured, after 3 s of warm-up.")
    var seconds = 20.0

    func validate() throws {
        guard players > 0, roomSize > 0, rate > 0, threads > 0, seconds > 0, seconds <= 3600 else {
            throw ValidationError("players, room size, rate and threads must be positive, and seconds within an hour")
        }
        // WebSocket frames here have a 1-byte length: payloads of at most 125 bytes.
        let limits = server == .nioWebSocket ? (input: 7...131, snapshot: 3...127) : (input: 1...4096, snapshot: 1...4096)
        guard limits.input.contains(inputBytes), limits.snapshot.contains(snapshotBytes) else {
            throw ValidationError("with --server \(server.rawValue), input frames take \(limits.input) bytes and snapshot frames \(limits.snapshot)")
        }
    }

    func run() throws {
        let period = 1.0 / Double(rate)
        let rooms = (players + roomSize - 1) / roomSize
        let warmUp = 3.0
        let inputFrame = server == .nioWebSocket ? Self.maskedBinaryFrame(bytes: inputBytes) : Self.filler(bytes: inputBytes)
        let serverSide: Traffic
        let clients: SocketLoop
        switch server {
        case .epoll:
            let listener = try SocketLoop.listen()
            let port = try SocketLoop.port(of: listener)
            let clientEnds = try (0..<players).map { _ in try SocketLoop.connect(port: port) }
            let serverEnds = try (0..<players).map { _ in try SocketLoop.accept(listener) }
            close(listener)
            // The server writes a room's players together; each client writes its own input. Phases spread over a period.
            let loop = SocketLoop(
                sockets: serverEnds,
                groups: (0..<rooms).map { Array($0 * roomSize..<min(players, ($0 + 1) * roomSize)) },
                frame: Self.filler(bytes: snapshotBytes),
                period: period
            )
            clients = SocketLoop(sockets: clientEnds, groups: (0..<players).map { [$0] }, frame: inputFrame, period: period)
            let clientThread = try SocketLoop.startThread { clients.run(warmUp: warmUp, seconds: seconds) }
            loop.run(warmUp: warmUp, seconds: seconds)
            pthread_join(clientThread, nil)
            serverSide = loop.result
        case .nio, .nioWebSocket:
            let nio = try NIOFloorServer(webSocket: server == .nioWebSocket, threads: threads)
            let clientEnds = try (0..<players).map { _ in try SocketLoop.connect(port: nio.port) }
            try nio.waitForConnections(players)
            clients = SocketLoop(sockets: clientEnds, groups: (0..<players).map { [$0] }, frame: inputFrame, period: period)
            nio.startRooms(of: roomSize, frameBytes: snapshotBytes, period: period)
            let clientThread = try SocketLoop.startThread { clients.run(warmUp: warmUp, seconds: seconds) }
            usleep(UInt32(warmUp * 1e6))
            let before = (cpu: CPUTime.threads(named: [NIOFloorServer.threadName]), writes: nio.writes, reads: nio.reads)
            usleep(UInt32(seconds * 1e6))
            let cpu = CPUTime.threads(named: [NIOFloorServer.threadName]) - before.cpu
            serverSide = Traffic(cpu: cpu, writes: nio.writes - before.writes, reads: nio.reads - before.reads)
            pthread_join(clientThread, nil)
            try nio.stop()
        }

        print(
            "io-floor: \(players) connections, \(rooms) rooms of \(roomSize), \(rate) Hz, "
                + "inputs \(inputBytes) B up, snapshots \(snapshotBytes) B down, \(decimal(seconds)) s"
        )
        let serverName = server == .epoll ? "server (epoll loop)" : "server (\(server.rawValue), \(threads) event loops)"
        for (side, traffic) in [(serverName, serverSide), ("clients (epoll loop)", clients.result)] {
            let perClientSecond = traffic.cpu.total * 1000 / (Double(players) * seconds)
            func perSecond(_ count: Int) -> Int { Int(Double(count) / seconds) }
            print(
                "  \(side): \(decimal(perClientSecond, digits: 3)) ms CPU per client-second "
                    + "(user \(decimal(traffic.cpu.user, digits: 2)) s, system \(decimal(traffic.cpu.system, digits: 2)) s), "
                    + "\(perSecond(traffic.writes)) writes/s, \(perSecond(traffic.reads)) reads/s"
            )
        }
    }

    private static func filler(bytes: Int) -> [UInt8] {
        [UInt8](repeating: 0x2A, count: bytes)
    }

    /// A client's binary WebSocket frame of `bytes` bytes in all: the header, a zero mask key (which leaves the
    /// payload as it is) and the payload.
    private static func maskedBinaryFrame(bytes: Int) -> [UInt8] {
        let payload = bytes - 6
        return [0x82, 0x80 | UInt8(payload), 0, 0, 0, 0] + filler(bytes: payload)
    }
}

/// What one side did in the measured window.
private struct Traffic {
    var cpu = CPUTime(user: 0, system: 0)
    var writes = 0
    var reads = 0
}

/// One side of the floor: a thread that writes a frame to each group of sockets once a period, at the group's own
/// phase, and reads whatever arrives in between.
private final class SocketLoop: @unchecked Sendable {
    private let sockets: [Int32]
    private let groups: [[Int]]
    private let frame: [UInt8]
    private let period: Double
    /// Written by the loop's thread before it ends; read after it was joined.
    private(set) var result = Traffic()

    init(sockets: [Int32], groups: [[Int]], frame: [UInt8], period: Double) {
        self.sockets = sockets
        self.groups = groups
        self.frame = frame
        self.period = period
    }

    func run(warmUp: Double, seconds: Double) {
        let poller = epoll_create1(0)
        defer { close(poller) }
        for (index, socket) in sockets.enumerated() {
            var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u32: UInt32(index)))
            epoll_ctl(poller, EPOLL_CTL_ADD, socket, &event)
        }
        let start = Self.now()
        var due = groups.indices.map { start + period * Double($0) / Double(groups.count) }
        let measureFrom = start + warmUp
        let end = measureFrom + seconds
        var measuring = false
        var before = CPUTime.thread()
        var counts = Traffic()
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        var buffer = [UInt8](repeating: 0, count: 65536)

        while true {
            let now = Self.now()
            if now >= end { break }
            if !measuring && now >= measureFrom {
                measuring = true
                before = CPUTime.thread()
                counts = Traffic()
            }
            var next = now + 1
            for group in groups.indices {
                if due[group] <= now {
                    for index in groups[group] where write(sockets[index], frame, frame.count) > 0 {
                        counts.writes += 1
                    }
                    due[group] += period
                }
                next = min(next, due[group])
            }
            // Whole milliseconds, rounded up: waking early would spin.
            let wait = (next - Self.now()) * 1000
            let timeout = wait <= 0 ? 0 : Int32(wait) + 1
            let ready = epoll_wait(poller, &events, Int32(events.count), timeout)
            for event in events.prefix(Int(max(ready, 0))) {
                if read(sockets[Int(event.data.u32)], &buffer, buffer.count) > 0 {
                    counts.reads += 1
                }
            }
        }
        let after = CPUTime.thread()
        counts.cpu = after - before
        result = counts
        for socket in sockets { close(socket) }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func startThread(_ body: @escaping @Sendable () -> Void) throws -> pthread_t {
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard status == 0 else { throw BenchFailure.call("pthread_create", failedWith: status) }
        return thread
    }

    static func listen() throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchFailure.call("socket", failedWith: errno) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 4096) == 0 else { throw BenchFailure.call("listen", failedWith: errno) }
        return socket
    }

    static func port(of socket: Int32) throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard status == 0 else { throw BenchFailure.call("getsockname", failedWith: errno) }
        return UInt16(bigEndian: address.sin_port)
    }

    static func connect(port: UInt16) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchFailure.call("socket", failedWith: errno) }
        var address = loopback(port: port)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else { throw BenchFailure.call("connect", failedWith: errno) }
        try configure(socket)
        return socket
    }

    static func accept(_ listener: Int32) throws -> Int32 {
        let socket = Glibc.accept(listener, nil, nil)
        guard socket >= 0 else { throw BenchFailure.call("accept", failedWith: errno) }
        try configure(socket)
        return socket
    }

    /// As NIO sets up a TCP channel: no Nagle delay, non-blocking.
    private static func configure(_ socket: Int32) throws {
        var one: Int32 = 1
        guard setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) == 0,
            fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK) == 0
        else { throw BenchFailure.call("setsockopt", failedWith: errno) }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

extension BenchFailure {
    fileprivate static func call(_ name: String, failedWith code: Int32) -> BenchFailure {
        BenchFailure("\(name) failed: \(String(cString: strerror(code)))")
    }
}
