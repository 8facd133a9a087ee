import Foundation
import HummingbirdWebSocket
import CoreMetrics
import Logging
import NIOCore
import NIOWebSocket
import SwiftProtobuf
import Synchronization
import TickstreamKafka
import TickstreamProtocol
import TickstreamRules

/// Serves one WebSocket connection: a reader that feeds client messages to the session's state machine and
/// performs its actions, and a writer that sends what the session's outbox holds, one batch per flush. Both run on
/// the channel's event loop (a ``MessageReader`` and an ``OutboxWriter``), or in this connection's task when their
/// handlers could not be added (the channel closed during the upgrade).
///
/// Inputs of the session reach Kafka in the order they arrived: the reader waits for each acknowledgement
/// before it takes the next message. A watchdog cuts the connection off when one write waits longer than
/// ``GatewayLimits/writeTimeout`` for the client to read, and keeps its ``Heartbeat``: a ping for a quiet client, a
/// close for one that did not answer it.
///
/// A class, so that the tasks and async frames of a connection share one reference to it instead of each holding
/// a copy of its fields.
final class Connection: Sendable {
    let session: Session
    let channel: ConnectionChannel
    let codec: MessageCodec
    let broadcaster: Broadcaster
    let inputLog: InputLog
    let limits: GatewayLimits
    let heartbeat: Heartbeat
    /// permessage-deflate, if the client negotiated it.
    let deflate: PerMessageDeflate?
    let metrics: GatewayMetrics
    let logger: Logger

    init(
        session: Session,
        channel: ConnectionChannel,
        codec: MessageCodec,
        broadcaster: Broadcaster,
        inputLog: InputLog,
        limits: GatewayLimits,
        heartbeat: Heartbeat,
        deflate: PerMessageDeflate?,
        metrics: GatewayMetrics,
        logger: Logger
    ) {
        self.session = session
        self.channel = channel
        self.codec = codec
        self.broadcaster = broadcaster
        self.inputLog = inputLog
        self.limits = limits
        self.heartbeat = heartbeat
        self.deflate = deflate
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs until the connection closes; then logs the player's leave if it was still in a room.
    ///
    /// - Throws: the inbound stream's error (e.g. an oversized message), for the WebSocket handler to close with.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let pendingWrite = PendingWrite()
        let (closeHandOver, reader) = await installHandlers(pendingWrite: pendingWrite)
        let watchdog = watch(pendingWrite)
        defer { watchdog?.cancel() }
        do {
            // The reader is a child task and the writer, or the wait for the outbox writer's close, runs in this one.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { self.session.outbox.finish() }
                    try await self.read(inbound)
                }
                // The writer ends when it has sent a close (the reader has nothing left to read), when the reader has
                // ended (the client went away, or its stream failed: that error is the connection's), or with the
                // error of a write on a closed channel (the client went away, or the watchdog cut it off). A write
                // already waiting when the reader ends is not cancelled: the client reads it, or the watchdog acts.
                let end =
                    if let closeHandOver {
                        try await sendClose(handedOverBy: closeHandOver, on: outbound)
                    } else {
                        try await write(outbound, pendingWrite: pendingWrite)
                    }
                switch end {
                case .sentClose:
                    group.cancelAll()
                case .readerEnded:
                    try await group.next()
                }
            }
        } catch {
            await end(after: reader)
            throw error
        }
        await end(after: reader)
    }

    /// Puts a ``HeartbeatHandler`` and an ``OutboxWriter`` right after the WebSocket frame decoder; hands the
    /// ``MessageReader`` the upgrade installed, if it did, this connection.
    ///
    /// - Returns: the close the ``OutboxWriter`` hands over, nil when this connection's task writes the outbox instead
    ///   (a pipeline that took no handler because the channel closed meanwhile); and the reader.
    private func installHandlers(
        pendingWrite: PendingWrite
    ) async -> (closeHandOver: EventLoopFuture<Outbox.Close?>?, reader: NIOLoopBound<MessageReader>?) {
        guard let channel = channel.channel else { return (nil, nil) }
        let reader = await attachReader(on: channel)
        let (heartbeat, deflate) = (self.heartbeat, self.deflate)
        let (session, codec, metrics, logger) = (self.session, self.codec, self.metrics, self.logger)
        do {
            let closeHandOver = try await channel.eventLoop.submit { () throws -> EventLoopFuture<Outbox.Close?>? in
                let operations = channel.pipeline.syncOperations
                let decoder = try operations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
                let closeHandOver = channel.eventLoop.makePromise(of: Outbox.Close?.self)
                let writer = OutboxWriter(
                    outbox: session.outbox,
                    codec: codec,
                    // If zlib cannot start, messages go uncompressed, which permessage-deflate allows.
                    deflater: try? deflate?.makeDeflater(),
                    metrics: metrics,
                    pendingWrite: pendingWrite,
                    closeHandOver: closeHandOver,
                    logger: logger
                )
                do {
                    try operations.addHandlers([HeartbeatHandler(heartbeat: heartbeat), writer], position: .after(decoder))
                } catch {
                    closeHandOver.fail(error)
                    throw error
                }
                return closeHandOver.futureResult
            }.get()
            return (closeHandOver, reader)
        } catch {
            logger.debug("Cannot add the connection's handlers", metadata: ["error": "\(error)"])
            return (nil, reader)
        }
    }

    /// Hands this connection the pipeline's ``MessageReader``; nil when there is none (the channel closed before the
    /// upgrade completed, or zlib could not start), and then the reader task reads.
    private func attachReader(on channel: any Channel) async -> NIOLoopBound<MessageReader>? {
        try? await channel.eventLoop.submit {
            let reader = try channel.pipeline.syncOperations.handler(type: MessageReader.self)
            reader.attach(self)
            return NIOLoopBound(reader, eventLoop: channel.eventLoop)
        }.get()
    }

    /// Waits for the reader to have handled what it took, then logs the player's leave if it was still in a room.
    private func end(after reader: NIOLoopBound<MessageReader>?) async {
        if let reader {
            try? await reader.eventLoop.flatSubmit { reader.value.finish() }.get()
        }
        session.outbox.finish()
        guard let membership = session.withStateMachine({ $0.connectionEnded() }) else { return }
        let room = membership.room
        await broadcaster.unsubscribe(session, room: room)
        guard !membership.spectating else { return }
        await produce(.leave(.with { $0.dropped = true }), room: room, sequence: 0)
        logger.info("Player dropped", metadata: ["room": "\(room)"])
    }

    /// Reads, in this task, the messages no ``MessageReader`` took: all of them on a connection without one, none on
    /// the others, whose stream only ends with the closing handshake or the channel.
    private func read(_ inbound: WebSocketInboundStream) async throws {
        for try await message in inbound.messages(maxSize: limits.maxMessageSize) {
            await withCheckedContinuation { (handled: CheckedContinuation<Void, Never>) in
                if receive(message, whenDone: { handled.resume() }) {
                    handled.resume()
                }
            }
        }
    }

    /// Handles one client message: decodes it, hands it to the session's state machine and carries out what that
    /// decided.
    ///
    /// - Returns: true when done; false when the message waits for Kafka or the broadcaster, and `whenDone` is then
    ///   called, from any thread, once it is handled.
    func receive(_ message: WebSocketMessage, whenDone: @escaping @Sendable () -> Void) -> Bool {
        let (action, isInput) = interpret(message)
        switch action {
        case .produce(let room, .input(let input)):
            return logInput(.input(input), room: room, sequence: input.sequence, whenDone: whenDone)
        case .produce(let room, .relay(let relay)):
            perform(then: whenDone) { await $0.relay(relay, room: room) }
        case .produce(let room, let action):
            perform(then: whenDone) { await $0.produce(action, room: room, sequence: 0) }
        case .join(let room, let lastAcknowledgedTick):
            perform(then: whenDone) { await $0.join(room, lastAcknowledgedTick: lastAcknowledgedTick) }
        case .watch(let room, let lastAcknowledgedTick):
            perform(then: whenDone) { await $0.watch(room, lastAcknowledgedTick: lastAcknowledgedTick) }
        case .unwatch(let room):
            perform(then: whenDone) { await $0.broadcaster.unsubscribe($0.session, room: room) }
        case .leave(let room):
            perform(then: whenDone) { await $0.leave(room) }
        case .acknowledge(let tick):
            session.acknowledge(tick)
            return true
        case .reply(let message):
            reply(message, isInput: isInput)
            return true
        case .pong(let nonce):
            pong(nonce)
            return true
        case .close(let code, let reason, let message):
            close(code, reason: reason, message: message, isInput: isInput)
            return true
        case .none:
            return true
        }
        return false
    }

    /// The client broke the WebSocket protocol (see ``MessageReader``): closes with `code`, as swift-websocket would.
    func closeForViolation(_ code: WebSocketErrorCode, reason: String) {
        logger.info("Closing connection", metadata: ["code": "\(code)", "reason": "\(reason)"])
        session.close(code, reason: reason)
    }

    /// Decodes `message` and hands it to the session's state machine.
    ///
    /// Synchronous and out of line, so that the decoded message and its temporaries live on the thread's stack:
    /// inlined into `read`, they took space in its async frame, which each connection holds while it is open.
    @inline(never)
    private func interpret(_ message: WebSocketMessage) -> (action: SessionStateMachine.Action, isInput: Bool) {
        do {
            let clientMessage = try codec.decode(message)
            var isInput = false
            if case .input(let input) = clientMessage.message {
                isInput = true
                metrics.inputsReceived.increment()
                // The client's ack, riding on its input (an ack is harmless before a join: joining resets it).
                if input.ackTick != 0 {
                    session.acknowledge(input.ackTick)
                }
            }
            return (session.withStateMachine { $0.received(clientMessage, at: .now) }, isInput)
        } catch {
            metrics.malformedMessages.increment()
            return (session.withStateMachine { $0.receivedMalformed(error.reason) }, false)
        }
    }

    /// Runs the part of a message's handling that waits for the broadcaster or Kafka's acknowledgement of a control
    /// record in a task of its own: joins, leaves and relays are rare beside inputs.
    private func perform(then whenDone: @escaping @Sendable () -> Void, _ body: @escaping @Sendable (Connection) async -> Void) {
        Task {
            await body(self)
            whenDone()
        }
    }

    /// Logs an input, and calls `whenDone` once Kafka acknowledged it, or refused it (the client is told
    /// `UNAVAILABLE` with the input's sequence).
    ///
    /// - Returns: true when it is done already: the record could not be enqueued.
    private func logInput(
        _ action: InputRecord.OneOf_Action,
        room: String,
        sequence: UInt64,
        whenDone: @escaping @Sendable () -> Void
    ) -> Bool {
        do {
            try inputLog.append(action, room: room, player: session.player) { [self] result in
                switch result {
                case .success:
                    metrics.inputsProduced.increment()
                case .failure(let error):
                    refuse(error, room: room, sequence: sequence)
                }
                whenDone()
            }
            return false
        } catch {
            refuse(error, room: room, sequence: sequence)
            return true
        }
    }

    /// Logs a relay, only to a player of the room.
    @inline(never)
    private func relay(_ relay: InputRecord.Relay, room: String) async {
        guard await broadcaster.isPlayer(relay.toPlayer, in: room) != false else {
            metrics.errorSent(.invalidRelay, forInput: false)
            send(.error(.invalidRelay, "\(relay.toPlayer) is not a player of room \(room)"))
            return
        }
        if await produce(.relay(relay), room: room, sequence: 0) {
            metrics.relaysProduced.increment()
        }
    }

    @inline(never)
    private func leave(_ room: String) async {
        await broadcaster.unsubscribe(session, room: room)
        await produce(.leave(.init()), room: room, sequence: 0)
        logger.info("Player left", metadata: ["room": "\(room)"])
    }

    @inline(never)
    private func reply(_ message: ServerMessage, isInput: Bool) {
        if case .error(let error) = message.message {
            metrics.errorSent(error.code, forInput: isInput)
        }
        send(message)
    }

    @inline(never)
    private func pong(_ nonce: UInt64) {
        send(.pong(nonce: nonce, serverTimeMs: Int64((Date().timeIntervalSince1970 * 1000).rounded())))
    }

    /// Sends `message` if there is one, then a close.
    @inline(never)
    private func close(_ code: WebSocketErrorCode, reason: String, message: ServerMessage?, isInput: Bool) {
        if let message {
            reply(message, isInput: isInput)
        }
        logger.info("Closing connection", metadata: ["code": "\(code)", "reason": "\(reason)"])
        session.outbox.close(code, reason: reason)
    }

    @inline(never)
    private func join(_ room: String, lastAcknowledgedTick: UInt64) async {
        do {
            try await broadcaster.subscribe(session, room: room, resumeTick: lastAcknowledgedTick)
        } catch {
            refuseJoin(room, because: error)
            return
        }
        guard await produce(.join(.init()), room: room, sequence: 0) else {
            await broadcaster.unsubscribe(session, room: room)
            session.withStateMachine { $0.joinFailed(room: room) }
            return
        }
        metrics.joins.increment()
        logger.debug("Join logged", metadata: ["room": "\(room)", "resume.tick": "\(lastAcknowledgedTick)"])
    }

    /// Follows `room` as a spectator: no join record, so the room's players and its capacity do not change.
    @inline(never)
    private func watch(_ room: String, lastAcknowledgedTick: UInt64) async {
        do {
            try await broadcaster.subscribe(session, room: room, resumeTick: lastAcknowledgedTick, spectating: true)
            logger.debug("Watching", metadata: ["room": "\(room)"])
        } catch {
            refuseJoin(room, because: error)
        }
    }

    /// Tells the client why it cannot join or watch `room`: the room is full, or its state cannot be followed.
    @inline(never)
    private func refuseJoin(_ room: String, because error: any Error) {
        session.withStateMachine { $0.joinFailed(room: room) }
        if case Broadcaster.Refusal.roomFull = error {
            metrics.errorSent(.joinRejected, forInput: false)
            send(.error(.joinRejected, "room \(room) is full (\(broadcaster.maxPlayers) players)"))
        } else {
            logger.warning("Cannot follow the room's state", metadata: ["room": "\(room)", "error": "\(error)"])
            metrics.errorSent(.unavailable, forInput: false)
            send(.error(.unavailable, "the log is unreachable; join again later"))
        }
    }

    /// Logs `action`; on failure tells the client `UNAVAILABLE` (with the input's sequence) and returns false.
    @discardableResult
    private func produce(_ action: InputRecord.OneOf_Action, room: String, sequence: UInt64) async -> Bool {
        do {
            try await inputLog.append(action, room: room, player: session.player)
            return true
        } catch is CancellationError {
            return false  // the connection is ending: the record still goes out, and nobody waits for the answer
        } catch {
            refuse(error, room: room, sequence: sequence)
            return false
        }
    }

    @inline(never)
    private func refuse(_ error: any Error, room: String, sequence: UInt64) {
        logger.warning("Kafka did not acknowledge an input", metadata: ["room": "\(room)", "error": "\(error)"])
        metrics.errorSent(.unavailable, forInput: sequence != 0)
        send(.error(.unavailable, "the log did not accept it: \(error)", sequence: sequence))
    }

    private func send(_ message: ServerMessage) {
        if !session.outbox.send(message) {
            metrics.outboxOverflows.increment()
            session.withStateMachine { $0.close() }
        }
    }

    /// Resets the connection, without a close frame, once a write has waited for the client past the write timeout;
    /// pings a quiet client, and closes one that did not answer (see ``Heartbeat``).
    ///
    /// A reset (SO_LINGER 0) rather than an orderly close: a client that does not read would not read a close
    /// either, and an orderly close leaves what it never read in the kernel, which keeps probing its closed window
    /// for minutes before it gives up.
    ///
    /// A timer on the channel's event loop rather than a task of its own: a task would hold its own stack of async
    /// frames for every connection, to look at a clock a few times per timeout.
    private func watch(_ pendingWrite: PendingWrite) -> RepeatedTask? {
        guard let channel = channel.channel else { return nil }
        let (timeout, heartbeat) = (limits.writeTimeout, self.heartbeat)
        let round = TimeAmount(min(timeout, heartbeat.interval) / 4)
        let (session, metrics, logger) = (self.session, self.metrics, self.logger)
        return channel.eventLoop.scheduleRepeatedTask(initialDelay: round, delay: round) { task in
            if let since = pendingWrite.since, since.duration(to: .now) > timeout {
                task.cancel()
                metrics.stalledConnections.increment()
                logger.notice("Cutting off a client that stopped reading", metadata: ["write.waited": "\(since.duration(to: .now))"])
                let socket = channel as? any SocketOptionProvider
                _ = socket?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                channel.close(promise: nil)
                return
            }
            switch heartbeat.due() {
            case .ping:
                session.outbox.ping()
            case .timedOut:
                metrics.pingTimeouts.increment()
                logger.info("Closing a connection that did not answer a ping", metadata: ["heartbeat": "\(heartbeat.interval)"])
                session.close(.goingAway, reason: "ping timeout")
            case .none:
                break
            }
        }
    }

    private enum WriterEnd {
        case sentClose
        case readerEnded
    }

    /// Waits for the ``OutboxWriter`` to have written what comes before the close, then sends the close through
    /// swift-websocket, which completes the closing handshake.
    private func sendClose(handedOverBy closeHandOver: EventLoopFuture<Outbox.Close?>, on outbound: WebSocketOutboundWriter)
        async throws -> WriterEnd
    {
        let outbox = session.outbox
        let close = try await withTaskCancellationHandler {
            try await closeHandOver.get()
        } onCancel: {
            outbox.finish()
        }
        guard let close else { return .readerEnded }
        try await outbound.close(close.code, reason: close.reason)
        return .sentClose
    }

    /// Writes the outbox through swift-websocket, uncompressed: for a connection whose ``OutboxWriter`` could not be
    /// added.
    private func write(_ outbound: WebSocketOutboundWriter, pendingWrite: PendingWrite) async throws -> WriterEnd {
        while let flush = await session.outbox.next() {
            pendingWrite.begin()
            defer { pendingWrite.end() }
            if flush.ping {
                try await outbound.write(.custom(.emptyPing))
            }
            if flush.hasBatch {
                let frame = try codec.encode(flush.messages, snapshot: flush.snapshot)
                try await outbound.write(.custom(frame))
                metrics.sent(frame, carrying: flush)
            }
            if let close = flush.close {
                try await outbound.close(close.code, reason: close.reason)
                return .sentClose
            }
        }
        return .readerEnded
    }
}

/// When the connection's writer started the write it is waiting on, if it is waiting on one.
final class PendingWrite: Sendable {
    private let started = Mutex<ContinuousClock.Instant?>(nil)

    var since: ContinuousClock.Instant? { started.withLock { $0 } }

    func begin() { started.withLock { $0 = .now } }

    func end() { started.withLock { $0 = nil } }
}
