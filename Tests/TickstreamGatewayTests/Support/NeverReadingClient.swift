import NIOCore
import NIOPosix

/// A WebSocket client that upgrades, joins a room over the JSON subprotocol and then never reads: its receive
/// buffer is tiny and nothing drains it, so the server's writes to it back up until they stall.
struct NeverReadingClient {
    private let channel: any Channel

    /// Returns once the connection has closed, which a reset from the server does without a read.
    func closed() async throws {
        try await channel.closeFuture.get()
    }

    static func connect(port: Int, joining room: String) async throws -> NeverReadingClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 1024)
            .channelOption(.autoRead, value: false)
            .connect(host: "127.0.0.1", port: port)
            .get()
        let upgrade = UpgradeProbe.request(port: port, headers: [("Sec-WebSocket-Protocol", "tickstream.v1.json")])
        try await channel.writeAndFlush(ByteBuffer(string: upgrade))
        // The 101 is never read: give the server a moment to switch protocols before the first frame.
        try await Task.sleep(for: .milliseconds(500))
        try await channel.writeAndFlush(maskedTextFrame(#"{"join":{"room":"\#(room)"}}"#))
        return NeverReadingClient(channel: channel)
    }

    /// A client's frame: FIN, text, masked (as RFC 6455 requires of clients); short payloads only.
    private static func maskedTextFrame(_ text: String) -> ByteBuffer {
        let payload = Array(text.utf8)
        precondition(payload.count < 126)
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        var frame = ByteBuffer(bytes: [0x81, 0x80 | UInt8(payload.count)] + mask)
        frame.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        return frame
    }
}
