import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOWebSocket
import Testing
import TickstreamProtocol

@testable import TickstreamBots

/// The connection handler on an embedded channel: what the bot sends is masked on the wire, pings are answered, and both
/// closing handshakes end as the bot expects. Time is the embedded loop's, advanced by hand.
@Suite struct WebSocketBotConnectionTests {
    final class Recorder: WebSocketBotDelegate {
        var messages: [(ByteBuffer, WebSocketOpcode)] = []
        var wireSizes: [Int] = []
        var closes: [(code: Int?, byBot: Bool)] = []

        func received(_ message: ByteBuffer, opcode: WebSocketOpcode, wireSize: Int) {
            messages.append((message, opcode))
            wireSizes.append(wireSize)
        }

        func connectionClosed(serverCloseCode: Int?, closedByBot: Bool) {
            closes.append((serverCloseCode, closedByBot))
        }
    }

    let recorder = Recorder()
    let connection: WebSocketBotConnection<Recorder>
    let channel = EmbeddedChannel()

    init() throws {
        connection = WebSocketBotConnection(delegate: recorder, maskingSeed: 1)
        try channel.pipeline.syncOperations.addHandler(connection)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        connection.open()
    }

    func serverFrame(_ opcode: WebSocketOpcode, _ data: ByteBuffer = ByteBuffer()) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, data: data)
    }

    func closeFrame(code: UInt16) -> WebSocketFrame {
        var data = ByteBuffer()
        data.writeInteger(code)
        return serverFrame(.connectionClose, data)
    }

    @Test func everyFrameTheBotSendsIsMaskedOnTheWireWithAFreshKey() throws {
        let channel = EmbeddedChannel()
        let connection = WebSocketBotConnection(delegate: recorder, maskingSeed: 1)
        try channel.pipeline.syncOperations.addHandlers(WebSocketFrameEncoder(), connection)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        connection.open()
        let payload: [UInt8] = [1, 2, 3, 4, 5]
        connection.send(ByteBuffer(bytes: payload), opcode: .binary)
        connection.send(ByteBuffer(bytes: payload), opcode: .binary)
        var wire = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) {
            wire.writeBuffer(&part)
        }
        var keys: [[UInt8]] = []
        for _ in 0..<2 {
            // FIN + binary; the mask bit + a 5-byte length; the key; the masked payload.
            #expect(wire.readInteger(as: UInt8.self) == UInt8(0x82))
            #expect(wire.readInteger(as: UInt8.self) == UInt8(0x80 | 5))
            let key = wire.readBytes(length: 4) ?? []
            let masked = wire.readBytes(length: 5) ?? []
            try #require(key.count == 4 && masked.count == 5)
            #expect(masked != payload)
            #expect(masked.indices.map { masked[$0] ^ key[$0 % 4] } == payload)
            keys.append(key)
        }
        #expect(keys[0] != keys[1])
        #expect(wire.readableBytes == 0)
    }

    /// "Hello" compressed as RFC 7692 7.2.3.1 shows it, the trailing empty block dropped, with RSV1 set.
    func compressedHello() -> WebSocketFrame {
        WebSocketFrame(fin: true, rsv1: true, opcode: .text, data: ByteBuffer(bytes: [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]))
    }

    /// The terms of the server's answer: its window for the bot, and which sides start afresh with each message.
    func agreement(_ header: String) throws -> NegotiatedDeflate? {
        let response = HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: ["Sec-WebSocket-Extensions": header])
        return try NegotiatedDeflate(agreedIn: response, maxMessageSize: 1 << 10)
    }

    @Test func aCompressedMessageIsInflatedAndCountedAtItsSizeOnTheWire() throws {
        connection.deflate = try agreement("permessage-deflate")
        try channel.writeInbound(compressedHello())
        #expect(recorder.messages.map { String(buffer: $0.0) } == ["Hello"])
        #expect(recorder.wireSizes == [7])
    }

    /// As browsers do, the bot compresses every message once the server agreed, however small, and in the window
    /// the server chose for it; control frames go as they are.
    @Test func withTheExtensionTheBotCompressesWhatItSends() throws {
        connection.deflate = try agreement("permessage-deflate; client_max_window_bits=10; client_no_context_takeover")
        for _ in 0..<2 {
            connection.send(ByteBuffer(string: "Hello"), opcode: .text)
            let frame = try #require(try channel.readOutbound(as: WebSocketFrame.self))
            #expect(frame.rsv1 && frame.opcode == .text)
            // Without context takeover each message inflates on its own, with the window agreed. (The frame holds
            // its payload unmasked until the encoder masks it.)
            let inflater = try MessageInflater(maxSize: 1 << 10, windowBits: 10, resetsAfterEachMessage: true)
            #expect(String(buffer: try inflater.inflate(frame.data)) == "Hello")
            #expect(frame.data == compressedHello().data, "RFC 7692's bytes for a fresh \"Hello\"")
        }
        try channel.writeInbound(serverFrame(.ping))
        #expect(try channel.readOutbound(as: WebSocketFrame.self)?.rsv1 == false)
        #expect(try agreement("x-webkit-deflate-frame") == nil)
    }

    @Test func aCompressedMessageWithoutTheExtensionDropsTheConnection() throws {
        try channel.writeInbound(compressedHello())
        #expect(recorder.messages.isEmpty)
        #expect(!channel.isActive)
    }

    @Test func messagesReachTheBotAndPingsAreAnsweredWithTheirData() throws {
        try channel.writeInbound(serverFrame(.binary, ByteBuffer(bytes: [9, 9])))
        try channel.writeInbound(serverFrame(.ping, ByteBuffer(string: "hi")))
        #expect(recorder.messages.map(\.1) == [.binary])
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong && pong.maskKey != nil && pong.data == ByteBuffer(string: "hi"))
    }

    @Test func aServerCloseIsEchoedAndReportedWithItsCode() throws {
        try channel.writeInbound(closeFrame(code: 1008))
        let echo = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        var data = echo.data
        #expect(echo.opcode == .connectionClose && data.readInteger(as: UInt16.self) == 1008)
        #expect(!connection.canSend)
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        #expect(recorder.closes.count == 1 && recorder.closes[0].code == 1008 && !recorder.closes[0].byBot)
    }

    @Test func theBotsCloseEndsWhenTheServerAnswers() throws {
        connection.close(reason: "done")
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        var data = close.data
        #expect(close.opcode == .connectionClose && data.readInteger(as: UInt16.self) == 1000)
        #expect(data.readString(length: data.readableBytes) == "done")
        connection.send(ByteBuffer(bytes: [1]), opcode: .binary)
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        try channel.writeInbound(closeFrame(code: 1000))
        #expect(!channel.isActive)
        #expect(recorder.closes.count == 1 && recorder.closes[0].code == 1000 && recorder.closes[0].byBot)
    }

    @Test func theBotsCloseTimesOutWithoutAnAnswer() throws {
        connection.close()
        _ = try channel.readOutbound(as: WebSocketFrame.self)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(recorder.closes.count == 1 && recorder.closes[0].code == nil && recorder.closes[0].byBot)
    }
}
