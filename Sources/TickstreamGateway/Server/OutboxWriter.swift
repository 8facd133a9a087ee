import Logging
import NIOCore
import NIOWebSocket
import TickstreamProtocol

/// Sends a session's outbox from its channel's event loop: what the broadcaster puts in reaches the socket in one
/// turn of the loop, instead of through a writer task, swift-websocket's handler and its async channel writer.
///
/// That path took a sixth of the server's CPU at arena-500 (perf); without it, server CPU per client-second fell
/// 1.98 → 1.67 ms and p99 latency 110 → 89 ms (`tools/bench-compare`, README).
///
/// It sits right after the WebSocket frame decoder, so its frames pass the encoder (and TLS) only; the frames
/// swift-websocket writes itself, pongs and the close, pass it on their way out. It writes only while the channel is
/// writable: while a slow client's socket is full, the outbox keeps only the newest snapshot, and the wait is what
/// the connection's watchdog times (``PendingWrite``). It does not send the close: it writes what comes before it
/// and hands the close over, for swift-websocket to send and to complete the closing handshake. On a connection that
/// negotiated permessage-deflate it compresses what it writes.
final class OutboxWriter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let outbox: Outbox
    private let codec: MessageCodec
    /// Set when the connection negotiated permessage-deflate.
    private let deflater: MessageDeflater?
    private let metrics: GatewayMetrics
    private let pendingWrite: PendingWrite
    /// Completed once: with the close to send, or with nil when the outbox finished without one (the reader ended,
    /// or the channel closed).
    private let closeHandOver: EventLoopPromise<Outbox.Close?>
    private let logger: Logger
    private var context: ChannelHandlerContext?
    /// Brings the writer back to its event loop when the outbox has something; set while the handler is in the
    /// pipeline (it holds the handler, and the handler holds it, until `handlerRemoved`).
    private var wakeUp: (@Sendable () -> Void)?
    private var handedOver = false
    private var waitingForWritability = false

    init(
        outbox: Outbox,
        codec: MessageCodec,
        deflater: MessageDeflater?,
        metrics: GatewayMetrics,
        pendingWrite: PendingWrite,
        closeHandOver: EventLoopPromise<Outbox.Close?>,
        logger: Logger
    ) {
        self.outbox = outbox
        self.codec = codec
        self.deflater = deflater
        self.metrics = metrics
        self.pendingWrite = pendingWrite
        self.closeHandOver = closeHandOver
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let (eventLoop, handler) = (context.eventLoop, NIOLoopBound(self, eventLoop: context.eventLoop))
        wakeUp = { eventLoop.execute { handler.value.drain() } }
        if context.channel.isActive {
            drain()
        } else {
            handOver(nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handOver(nil)
        wakeUp = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        handOver(nil)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, waitingForWritability {
            waitingForWritability = false
            pendingWrite.end()
            drain()
        }
        context.fireChannelWritabilityChanged()
    }

    /// Writes everything due, a flush at a time, while the channel is writable; then waits for the outbox (armed) or
    /// for the channel to drain.
    private func drain() {
        guard let context, let wakeUp else { return }
        while !handedOver, context.channel.isWritable {
            switch outbox.takeOrArm(wakeUp) {
            case .armed:
                return
            case .finished:
                handOver(nil)
            case .flush(let flush):
                write(flush, on: context)
            }
        }
        if !context.channel.isWritable, !waitingForWritability {
            waitingForWritability = true
            pendingWrite.begin()
        }
    }

    private func write(_ flush: Outbox.Flush, on context: ChannelHandlerContext) {
        if flush.ping {
            context.write(wrapOutboundOut(.emptyPing), promise: nil)
        }
        if flush.hasBatch {
            do {
                var frame = try codec.encode(flush.messages, snapshot: flush.snapshot)
                if let deflater {
                    frame = try frame.deflated(by: deflater)
                }
                metrics.sent(frame, carrying: flush)
                context.write(wrapOutboundOut(frame), promise: nil)
            } catch {
                logger.error("Cannot encode or compress a batch for the client", metadata: ["error": "\(error)"])
                outbox.finish()
                handOver(Outbox.Close(code: .unexpectedServerError, reason: "cannot encode a message"))
            }
        }
        context.flush()
        if let close = flush.close {
            handOver(close)
        }
    }

    private func handOver(_ close: Outbox.Close?) {
        guard !handedOver else { return }
        handedOver = true
        closeHandOver.succeed(close)
    }
}

extension WebSocketFrame {
    /// The ping of a connection's ``Heartbeat``: the client's pong only needs to arrive, so it carries nothing.
    static let emptyPing = WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())
}
