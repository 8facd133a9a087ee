import NIOCore
import NIOWebSocket

/// Makes a bot read like a congested client: one WebSocket message per `delay`, the socket read only when the few
/// messages already read are used up, so that the server's writes back up into its own buffers.
///
/// Reads are small (`readSize` bytes, one read per call), which keeps the queue short. Once the bot sends its close
/// frame, the handler stops pacing so that the closing handshake completes.
final class SlowReadHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let delay: TimeAmount
    private let readSize: Int
    private var queue = CircularBuffer<WebSocketFrame>(initialCapacity: 8)
    private var timer: Scheduled<Void>?
    private var isPacing = true

    init(delay: TimeAmount, readSize: Int = 1024) {
        self.delay = delay
        self.readSize = readSize
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let options = context.channel.syncOptions
        try? options?.setOption(.autoRead, value: false)
        try? options?.setOption(.maxMessagesPerRead, value: 1)
        try? options?.setOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: readSize))
        scheduleNext(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard isPacing else {
            context.fireChannelRead(data)
            return
        }
        queue.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !isPacing {
            context.fireChannelReadComplete()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if isPacing, unwrapOutboundIn(data).opcode == .connectionClose {
            stopPacing(context: context)
        }
        context.write(data, promise: promise)
    }

    /// Every `delay`: hand one message on; read the socket when none is left.
    private func scheduleNext(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard isPacing else { return }
            if let frame = queue.popFirst() {
                context.fireChannelRead(wrapInboundOut(frame))
                context.fireChannelReadComplete()
            }
            if isPacing, queue.isEmpty {
                context.read()
            }
            if isPacing {
                scheduleNext(context: context)
            }
        }
    }

    /// The bot is closing: deliver what is queued and read at full speed from now on. Deferred, so that the bot
    /// does not receive messages from inside its own write.
    private func stopPacing(context: ChannelHandlerContext) {
        isPacing = false
        timer?.cancel()
        timer = nil
        context.eventLoop.assumeIsolated().execute { [self] in
            while let frame = queue.popFirst() {
                context.fireChannelRead(wrapInboundOut(frame))
            }
            context.fireChannelReadComplete()
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
            context.read()
        }
    }
}
