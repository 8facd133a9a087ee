import HummingbirdWebSocket
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TickstreamProtocol

/// Reads a connection's messages on its event loop and hands them to its ``Connection`` one at a time: an input
/// goes to Kafka from here, and the next message waits for its acknowledgement, so a session's inputs reach the log
/// in the order they arrived.
///
/// Without it, hummingbird-websocket passes every frame through NIO's async channel to the connection's task: a task
/// resumption per message and another per acknowledgement. Reading here took the server from 1.96 to 1.83 ms of CPU
/// per client-second at arena-500 (`tools/bench-compare`, README). Control frames (ping, pong, close) still go that
/// way, for swift-websocket to answer them and to complete the closing handshake.
///
/// A ``MessageReaderInstaller`` puts it in the pipeline when the upgrade completes, before the first frame is read;
/// messages that arrive before the connection is admitted wait for ``attach(_:)``. Waiting messages are bounded: from
/// ``queueLimit`` on, the reader stops asking the socket for more, and TCP pushes back on the client. On a connection
/// that negotiated permessage-deflate it inflates the messages sent compressed.
final class MessageReader: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What the connection is handed, in the order the frames came.
    private enum Received {
        case message(WebSocketMessage)
        /// The client broke the WebSocket protocol: the connection closes with `code`.
        case violation(WebSocketErrorCode, reason: String)
    }

    /// How many messages may wait before the reader stops reading: more than a client playing by the rules ever
    /// sends within one acknowledgement.
    static let queueLimit = 16

    private let maxMessageSize: Int
    private let eventLoop: any EventLoop
    /// Set when the connection negotiated permessage-deflate.
    private let inflater: MessageInflater?
    private var connection: Connection?
    /// What the connection calls, from any thread, when the message that made it wait is handled. Made once per
    /// connection rather than per message; it holds the reader until the connection finishes.
    private var resume: (@Sendable () -> Void)?
    private var context: ChannelHandlerContext?
    private var queue = CircularBuffer<Received>(initialCapacity: 4)
    /// The first frames of a fragmented message, and whether it was sent compressed.
    private var fragments: (opcode: WebSocketOpcode, compressed: Bool, data: ByteBuffer)?
    /// The connection is handling a message that waits for Kafka or the broadcaster.
    private var busy = false
    /// After a violation, or once the connection finishes: later frames are dropped.
    private var takesFrames = true
    private var heldRead = false
    /// Completed once the connection finished and every message taken before has been handled.
    private var finished: EventLoopPromise<Void>?

    init(maxMessageSize: Int, eventLoop: any EventLoop, inflater: MessageInflater? = nil) {
        self.maxMessageSize = maxMessageSize
        self.eventLoop = eventLoop
        self.inflater = inflater
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Starts handing messages, those already waiting first, to `connection`.
    func attach(_ connection: Connection) {
        self.connection = connection
        let (eventLoop, reader) = (eventLoop, NIOLoopBound(self, eventLoop: eventLoop))
        resume = {
            eventLoop.execute {
                reader.value.busy = false
                reader.value.handleWaiting()
            }
        }
        if heldRead {
            connection.heartbeat.hold()
        }
        handleWaiting()
    }

    /// Takes no more frames; the future completes once the messages taken before are handled.
    func finish() -> EventLoopFuture<Void> {
        takesFrames = false
        let promise = finished ?? eventLoop.makePromise()
        finished = promise
        handleWaiting()
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            guard takesFrames else { return }
            assemble(frame)
            handleWaiting()
        default:
            context.fireChannelRead(data)
        }
    }

    func read(context: ChannelHandlerContext) {
        if queue.count >= Self.queueLimit {
            holdRead()
        } else {
            context.read()
        }
    }

    /// Withholds the socket's next read; the client is not to blame for what goes unheard meanwhile.
    private func holdRead() {
        if !heldRead {
            connection?.heartbeat.hold()
        }
        heldRead = true
    }

    /// Queues the message `frame` completes, or keeps it until the message's final frame; queues a violation for a
    /// frame that breaks the protocol, as swift-websocket's reader would close the connection for it.
    private func assemble(_ frame: WebSocketFrame) {
        // rsv1 marks a compressed message, on its first frame only (RFC 7692 6).
        let compressed = frame.rsv1 && inflater != nil && frame.opcode != .continuation
        guard frame.reservedBits.subtracting(compressed ? .rsv1 : []).isEmpty else {
            return violate(.protocolError, reason: "reserved bits set that no extension uses")
        }
        switch (frame.opcode, fragments) {
        case (.continuation, nil):
            violate(.protocolError, reason: "a continuation frame without a message to continue")
        case (.continuation, var message?):
            guard message.data.readableBytes + frame.length <= maxMessageSize else {
                return violate(.messageTooLarge, reason: "a message larger than \(maxMessageSize) bytes")
            }
            var data = frame.unmaskedData
            message.data.writeBuffer(&data)
            if frame.fin {
                fragments = nil
                complete(message.opcode, compressed: message.compressed, message.data)
            } else {
                fragments = message
            }
        case (_, .some):
            violate(.protocolError, reason: "a new message before the previous one's final frame")
        case (let opcode, nil):
            if frame.fin {
                complete(opcode, compressed: compressed, frame.unmaskedData)
            } else {
                fragments = (opcode, compressed, frame.unmaskedData)
            }
        }
    }

    /// Queues the message of all its frames' `data`, inflated first if it was sent compressed.
    private func complete(_ opcode: WebSocketOpcode, compressed: Bool, _ data: ByteBuffer) {
        guard compressed, let inflater else {
            return queue.append(.message(Self.message(opcode, data)))
        }
        do throws(MessageInflaterError) {
            queue.append(.message(Self.message(opcode, try inflater.inflate(data))))
        } catch {
            switch error {
            case .tooLarge:
                violate(.messageTooLarge, reason: "a message inflating past \(maxMessageSize) bytes")
            case .corrupt:
                violate(.dataInconsistentWithMessage, reason: "a compressed message that does not inflate")
            }
        }
    }

    private func violate(_ code: WebSocketErrorCode, reason: String) {
        queue.append(.violation(code, reason: reason))
        fragments = nil
        takesFrames = false
    }

    private static func message(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketMessage {
        opcode == .text ? .text(String(buffer: data)) : .binary(data)
    }

    /// Hands the waiting messages to the connection until one makes it wait; then reads again if a read was held.
    private func handleWaiting() {
        guard let connection, let resume else { return }
        while !busy, let received = queue.popFirst() {
            switch received {
            case .message(let message):
                busy = !connection.receive(message, whenDone: resume)
            case .violation(let code, let reason):
                connection.closeForViolation(code, reason: reason)
            }
        }
        guard !busy else { return }
        if queue.isEmpty, !takesFrames, let finished {
            finished.succeed()
            self.resume = nil
        }
        if heldRead, queue.count < Self.queueLimit, let context {
            heldRead = false
            connection.heartbeat.resumeAfterHold()
            context.read()
        }
    }
}

/// Waits in a WebSocket upgrade's HTTP pipeline, and puts a ``MessageReader`` right after the frame decoder when the
/// upgrade completes: NIO's upgrade handler fires that event once it has set up the WebSocket pipeline and before it
/// passes on any bytes that came after the request, so the reader sees every frame.
final class MessageReaderInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let maxMessageSize: Int
    private let deflate: PerMessageDeflate?

    init(maxMessageSize: Int, deflate: PerMessageDeflate?) {
        self.maxMessageSize = maxMessageSize
        self.deflate = deflate
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case HTTPServerUpgradeEvents.upgradeComplete = event {
            let operations = context.pipeline.syncOperations
            // Without a decoder the pipeline is not a WebSocket's: its connection reads in its task.
            if let decoder = try? operations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self) {
                do {
                    let inflater = try deflate?.makeInflater(maxSize: maxMessageSize)
                    let reader = MessageReader(maxMessageSize: maxMessageSize, eventLoop: context.eventLoop, inflater: inflater)
                    try operations.addHandler(reader, position: .after(decoder))
                } catch {
                    // Then the connection reads in its task too, and a compressed message closes it with 1002.
                }
            }
            operations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
