import NIOCore
import NIOPosix
import NIOWebSocket

/// A WebSocket client on the JSON subprotocol that upgrades and then listens, reporting each frame the server sends
/// as it arrived on the wire; it answers nothing, not even pings, and sends only what a test tells it to.
struct FrameSniffer {
    struct Frame: Sendable {
        var opcode: WebSocketOpcode
        /// Whether the frame has RSV1 set: a message compressed with permessage-deflate.
        var compressed: Bool
        /// A close frame's status code.
        var closeCode: WebSocketErrorCode?
        /// The payload, as sent (compressed if `compressed`).
        var data = ByteBuffer()
    }

    /// The server's frames, in order; ends when the connection closes.
    let frames: AsyncStream<Frame>
    private let channel: any Channel

    /// - Parameter headers: added to the upgrade request (an extension offered, say).
    static func connect(port: Int, headers: [(String, String)] = []) async throws -> FrameSniffer {
        let (frames, continuation) = AsyncStream.makeStream(of: Frame.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FrameReader(frames: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        let upgrade = UpgradeProbe.request(port: port, headers: [("Sec-WebSocket-Protocol", "tickstream.v1.json")] + headers)
        try await channel.writeAndFlush(ByteBuffer(string: upgrade))
        return FrameSniffer(frames: frames, channel: channel)
    }

    /// Sends `text` as one masked text frame, as a client must.
    func send(text: String) async throws {
        try await send(payload: Array(text.utf8))
    }

    /// Sends `payload` (under 64 KiB) as one masked text frame; with RSV1 set if `compressed`.
    func send(payload: [UInt8], compressed: Bool = false) async throws {
        precondition(payload.count <= UInt16.max, "a 16-bit length at most")
        let mask: [UInt8] = [0x5A, 0x13, 0xC7, 0x02]
        var frame = ByteBuffer()
        frame.writeInteger(UInt8(compressed ? 0xC1 : 0x81))  // FIN, RSV1 if compressed, text
        if payload.count < 126 {
            frame.writeInteger(UInt8(0x80 | payload.count))  // masked
        } else {
            frame.writeInteger(UInt8(0x80 | 126))
            frame.writeInteger(UInt16(payload.count))
        }
        frame.writeBytes(mask)
        frame.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        try await channel.writeAndFlush(frame)
    }

    func close() async throws {
        try await channel.close()
    }
}

/// Skips the HTTP response, then reads the server's (unmasked) frames.
private final class FrameReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let frames: AsyncStream<FrameSniffer.Frame>.Continuation
    private var received = ByteBuffer()
    private var upgraded = false

    init(frames: AsyncStream<FrameSniffer.Frame>.Continuation) {
        self.frames = frames
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        if !upgraded {
            guard let end = received.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            received.moveReaderIndex(to: end.upperBound)
            upgraded = true
        }
        while let frame = nextFrame() {
            frames.yield(frame)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        frames.finish()
    }

    /// The next whole frame, consumed; nil until one has arrived.
    private func nextFrame() -> FrameSniffer.Frame? {
        guard let first = received.getInteger(at: received.readerIndex, as: UInt8.self),
            let second = received.getInteger(at: received.readerIndex + 1, as: UInt8.self)
        else { return nil }
        var headerLength = 2
        var payloadLength = Int(second & 0x7F)
        if payloadLength == 126 {
            guard let length = received.getInteger(at: received.readerIndex + 2, as: UInt16.self) else { return nil }
            (headerLength, payloadLength) = (4, Int(length))
        } else if payloadLength == 127 {
            guard let length = received.getInteger(at: received.readerIndex + 2, as: UInt64.self) else { return nil }
            (headerLength, payloadLength) = (10, Int(length))
        }
        guard received.readableBytes >= headerLength + payloadLength,
            let opcode = WebSocketOpcode(encodedWebSocketOpcode: first & 0x0F)
        else { return nil }
        var frame = FrameSniffer.Frame(opcode: opcode, compressed: first & 0x40 != 0)
        frame.data = received.getSlice(at: received.readerIndex + headerLength, length: payloadLength) ?? ByteBuffer()
        if opcode == .connectionClose, payloadLength >= 2 {
            frame.closeCode = received.getInteger(at: received.readerIndex + headerLength, as: UInt16.self).map { WebSocketErrorCode(codeNumber: Int($0)) }
        }
        received.moveReaderIndex(forwardBy: headerLength + payloadLength)
        return frame
    }
}
