import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import SwiftProtobuf
import Testing
import TickstreamProtocol
@testable import TickstreamGateway

/// The writer on an embedded channel: what is due leaves in one flush, the ping first, then the batch (compressed on a
/// connection that negotiated permessage-deflate), and an outbox that finishes without a close hands over none.
@Suite struct OutboxWriterTests {
    @Test(arguments: [false, true])
    func aPingAndABatchLeaveTogether(deflated: Bool) throws {
        let outbox = Outbox(capacity: 8)
        let channel = EmbeddedChannel()
        let closeHandOver = channel.eventLoop.makePromise(of: Outbox.Close?.self)
        let deflate = PerMessageDeflate()
        let writer = OutboxWriter(
            outbox: outbox,
            codec: MessageCodec(format: .json),
            deflater: deflated ? try deflate.makeDeflater() : nil,
            metrics: GatewayMetrics(),
            pendingWrite: PendingWrite(),
            closeHandOver: closeHandOver,
            logger: Logger(label: "test")
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        // Past the 256 bytes below which a batch goes uncompressed.
        let long = String(repeating: "too slow ", count: 40)
        outbox.ping()
        outbox.send(.error(.throttled, long))
        try channel.pipeline.syncOperations.addHandler(writer)
        channel.embeddedEventLoop.run()

        var frames: [WebSocketFrame] = []
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) {
            frames.append(frame)
        }
        #expect(frames.map(\.opcode) == [.ping, .text])
        let batch = try #require(frames.last)
        #expect(batch.rsv1 == deflated)
        let text = deflated ? try deflate.makeInflater(maxSize: 1 << 16).inflate(batch.data) : batch.data
        #expect(try ServerBatch(jsonString: String(buffer: text)).messages == [.error(.throttled, long)])
        outbox.finish()
        channel.embeddedEventLoop.run()
        #expect(try closeHandOver.futureResult.wait() == nil)
    }
}
