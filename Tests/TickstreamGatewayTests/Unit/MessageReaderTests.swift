import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
@testable import TickstreamGateway

/// What ``MessageReader`` does before a connection takes its messages: the end-to-end tests cover the rest.
@Suite struct MessageReaderTests {
    /// Counts the reads that reach the socket.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    static func binary(_ byte: UInt8) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [byte]))
    }

    @Test func messagesWaitAndReadsStopOnceTheQueueIsFull() throws {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandlers(
            counter,
            MessageReader(maxMessageSize: 1024, eventLoop: channel.eventLoop)
        )
        for byte in 0..<UInt8(MessageReader.queueLimit - 1) {
            try channel.writeInbound(Self.binary(byte))
            channel.read()
        }
        #expect(counter.reads == MessageReader.queueLimit - 1)
        try channel.writeInbound(Self.binary(0xFF))
        channel.read()
        #expect(counter.reads == MessageReader.queueLimit - 1, "the read waits for the queue to drain")
        // The data frames wait in the reader; nothing of them goes on to swift-websocket.
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
        _ = try channel.finish()
    }

    @Test func controlFramesGoOnToSwiftWebSocket() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(MessageReader(maxMessageSize: 1024, eventLoop: channel.eventLoop))
        for opcode in [WebSocketOpcode.ping, .pong, .connectionClose] {
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer()))
            #expect(try channel.readInbound(as: WebSocketFrame.self)?.opcode == opcode)
        }
        _ = try channel.finish()
    }
}
