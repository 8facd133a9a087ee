import NIOCore
import NIOWebSocket
import TickstreamProtocol

/// What a bot hears from its connection; called on the connection's event loop.
protocol WebSocketBotDelegate: AnyObject {
    /// A whole text or binary message arrived, `wireSize` bytes on the wire (less than `message` if it came compressed).
    func received(_ message: ByteBuffer, opcode: WebSocketOpcode, wireSize: Int)
    /// The connection closed. `serverCloseCode` is the code of the server's close frame (nil without one);
    /// `closedByBot` says whether the bot started the closing handshake.
    func connectionClosed(serverCloseCode: Int?, closedByBot: Bool)
}

/// The WebSocket side of one bot's connection: masks what the bot sends, answers pings, runs the closing
/// handshake, and hands text and binary messages to the bot.
///
/// The bot calls it directly (it is the last handler, so a write passes only the handlers before it); both live on
/// the channel's event loop.
final class WebSocketBotConnection<Delegate: WebSocketBotDelegate>: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// How long the server has to answer the bot's close frame before the bot drops the connection.
    static var closeTimeout: TimeAmount { .seconds(2) }

    private var delegate: Delegate?
    private var context: ChannelHandlerContext?
    private var maskingKeys: MaskingKeyGenerator
    /// Whether the connection was handed to the bot; a connection that never opened reports nothing.
    private var isOpen = false
    private var closedByBot = false
    private var serverCloseCode: Int?
    private var closeTimeout: Scheduled<Void>?
    /// Set before the connection opens, when the server agreed to permessage-deflate.
    var deflate: NegotiatedDeflate?

    /// - Parameters:
    ///   - delegate: The bot; held until the connection closes.
    ///   - maskingSeed: Seeds the connection's masking keys.
    init(delegate: Delegate, maskingSeed: UInt64) {
        self.delegate = delegate
        maskingKeys = MaskingKeyGenerator(seed: maskingSeed)
    }

    /// Whether the bot may still send: opened, and neither side has started closing.
    var canSend: Bool {
        isOpen && !closedByBot && serverCloseCode == nil
    }

    /// The upgrade completed: the bot may write from now on.
    ///
    /// Called from the upgrade's completion, which runs while the channel is active and this handler in place.
    func open() {
        assert(context != nil, "opened before the handler was added, or after the channel closed")
        context?.eventLoop.assertInEventLoop()
        isOpen = true
    }

    /// Sends one unfragmented message, compressed if the server agreed to it; `flush: false` lets a burst leave in
    /// one flush.
    func send(_ payload: ByteBuffer, opcode: WebSocketOpcode, flush: Bool = true) {
        guard canSend, let context else { return }
        var data = payload
        if let deflater = deflate?.deflater {
            guard let compressed = try? deflater.deflate(payload) else {
                return context.close(promise: nil)
            }
            data = compressed
        }
        let frame = WebSocketFrame(fin: true, rsv1: deflate != nil, opcode: opcode, maskKey: maskingKeys.nextKey(), data: data)
        if flush {
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        } else {
            context.write(wrapOutboundOut(frame), promise: nil)
        }
    }

    func flush() {
        context?.flush()
    }

    /// Starts the closing handshake; drops the connection if the server does not answer in time.
    func close(reason: String? = nil) {
        guard canSend, let context else { return }
        closedByBot = true
        var payload = context.channel.allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        payload.write(webSocketErrorCode: .normalClosure)
        if let reason {
            payload.writeString(reason)
        }
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskingKeys.nextKey(), data: payload)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        closeTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeTimeout) {
            context.close(promise: nil)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .text:
            var message = frame.unmaskedData
            if frame.rsv1 {
                // Compressed without the extension, or not inflating: a browser drops such a connection too.
                guard let inflater = deflate?.inflater, let inflated = try? inflater.inflate(message) else {
                    return context.close(promise: nil)
                }
                message = inflated
            }
            delegate?.received(message, opcode: frame.opcode, wireSize: frame.length)
        case .ping:
            guard canSend else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: maskingKeys.nextKey(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            receivedClose(frame, context: context)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeTimeout?.cancel()
        closeTimeout = nil
        if isOpen {
            delegate?.connectionClosed(serverCloseCode: serverCloseCode, closedByBot: closedByBot)
        }
        delegate = nil
        self.context = nil
        context.fireChannelInactive()
    }

    /// The server's close frame: the answer to the bot's, or the server's own, which the bot echoes.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard serverCloseCode == nil else { return }
        var data = frame.unmaskedData
        let code = data.readInteger(as: UInt16.self)
        // RFC 6455 7.1.5: a close frame without a code means 1005, "no status received".
        serverCloseCode = code.map(Int.init) ?? 1005
        guard !closedByBot else {
            context.close(promise: nil)
            return
        }
        var payload = context.channel.allocator.buffer(capacity: 2)
        if let code {
            payload.writeInteger(code)
        }
        let echo = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskingKeys.nextKey(), data: payload)
        context.writeAndFlush(wrapOutboundOut(echo)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
