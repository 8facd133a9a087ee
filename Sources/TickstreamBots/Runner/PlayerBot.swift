import Logging
import NIOCore
import NIOWebSocket
import Synchronization
import TickstreamProtocol
import WSClient

/// A well-behaved player (or spectator, or slow reader): connects, joins, plays until its plan interrupts it or the
/// run ends, and reconnects when the server closes on it.
struct PlayerBot: Sendable {
    /// How a connection ended.
    private enum End: Sendable, Equatable {
        /// The bot closed it at its deadline.
        case deadline
        /// The server closed it, with this code (0 without one), or the connection failed.
        case server(code: Int)
    }

    let plan: BotPlan
    let configuration: BotConfiguration
    /// The start of the run: the plan's times count from it.
    let start: ContinuousClock.Instant
    let window: MeasurementWindow
    let recorder: BotRecorder
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    private var wire: BotWire { BotWire(isJSON: configuration.isJSON) }

    func run() async {
        let box = SessionBox(
            BotSession(
                configuration: .init(
                    room: plan.room,
                    isJSON: configuration.isJSON,
                    sendsInputs: plan.sendsInputs,
                    resumes: true,
                    window: window,
                    seed: UInt64(plan.index + 1)
                )
            )
        )
        var interruptions = plan.interruptions[...]
        guard (try? await Task.sleep(until: start + plan.connectAt)) != nil else { return }
        while ContinuousClock.now < window.end, !Task.isCancelled {
            let interruption = interruptions.first.flatMap { start + $0.at < window.end ? $0 : nil }
            let deadline = interruption.map { start + $0.at } ?? window.end
            let end = await connect(box, until: deadline, leaving: interruption?.kind == .leave)
            recorder.add(measurements(box))
            let pause: Duration
            if end == .deadline, let interruption {
                interruptions.removeFirst()
                if interruption.kind == .leave {
                    box.withLock { $0.forget() }
                }
                pause = interruption.pause
            } else {
                pause = .seconds(1)
            }
            guard ContinuousClock.now < window.end, (try? await Task.sleep(for: pause)) != nil else { break }
        }
    }

    /// One connection, until `deadline` or until the server closes it.
    private func connect(_ box: SessionBox, until deadline: ContinuousClock.Instant, leaving: Bool) async -> End {
        var clientConfiguration = WebSocketClientConfiguration(
            maxFrameSize: configuration.maxMessageSize,
            closeTimeout: .seconds(2)
        )
        clientConfiguration.additionalHeaders = configuration.headers
        let flags = ConnectionFlags()
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: configuration.url,
                configuration: clientConfiguration,
                eventLoopGroup: eventLoopGroup,
                logger: logger
            ) { inbound, outbound, _ in
                recorder.adjust(connected: 1)
                defer { recorder.adjust(connected: -1) }
                try await outbound.write(wire.frame(box.withLock { $0.connected(at: .now) }))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await sendInputs(box, outbound: outbound, until: deadline)
                        // Cancelled: the server closed first, and there is nothing left to close.
                        guard !Task.isCancelled else { return }
                        flags.closing.store(true, ordering: .relaxed)
                        if leaving {
                            var leave = ClientMessage()
                            leave.message = .leave(.init())
                            try? await outbound.write(wire.frame(leave))
                        }
                        try? await outbound.close(.normalClosure, reason: nil)
                    }
                    try await read(inbound, outbound: outbound, box: box, flags: flags)
                    group.cancelAll()
                }
            }
            if flags.playing.load(ordering: .relaxed) {
                recorder.adjust(playing: -1)
            }
            if flags.closing.load(ordering: .relaxed) {
                box.withLock { $0.disconnected(serverCloseCode: nil) }
                return .deadline
            }
            let code = closeFrame.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) } ?? 0
            box.withLock { $0.disconnected(serverCloseCode: code) }
            logger.debug("Server closed the connection", metadata: ["code": "\(code)", "room": "\(plan.room)"])
            return .server(code: code)
        } catch {
            if flags.playing.load(ordering: .relaxed) {
                recorder.adjust(playing: -1)
            }
            logger.debug("Connection failed", metadata: ["error": "\(error)", "room": "\(plan.room)"])
            box.withLock {
                $0.connectFailed()
                $0.disconnected(serverCloseCode: 0)
            }
            return .server(code: 0)
        }
    }

    /// What the session measured since the last hand-over. A slow reader's own latency is its choice, not the
    /// server's: the scenario measures whether the others are still served, so its latencies are left out.
    private func measurements(_ box: SessionBox) -> BotMeasurements {
        var measurements = box.withLock { $0.takeMeasurements() }
        if plan.role == .slowReader {
            measurements.latencies = []
            measurements.latenciesOutsideWindow = []
        }
        return measurements
    }

    /// Sends an input every 1/rate seconds (a spectator only wakes once a second), and hands measurements to the
    /// recorder about once a second, until `deadline`.
    private func sendInputs(_ box: SessionBox, outbound: WebSocketOutboundWriter, until deadline: ContinuousClock.Instant) async {
        let interval: Duration = plan.sendsInputs ? .seconds(1 / configuration.inputRate) : .seconds(1)
        var next = ContinuousClock.now + interval
        var nextHandOver = ContinuousClock.now + .seconds(1)
        while next < deadline {
            guard (try? await Task.sleep(until: next)) != nil else { return }
            let now = ContinuousClock.now
            next += interval
            if next < now {
                // Fell behind (a stall): skip the missed inputs rather than send a burst the gateway would throttle.
                next = now + interval
            }
            if let input = box.withLock({ $0.nextInput(at: now) }) {
                do {
                    try await outbound.write(wire.frame(input))
                } catch {
                    return
                }
            }
            if now >= nextHandOver {
                nextHandOver += .seconds(1)
                recorder.add(measurements(box))
            }
        }
        _ = try? await Task.sleep(until: deadline)
    }

    /// Applies every batch and acknowledges each new tick, until the server's close arrives.
    private func read(
        _ inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        box: SessionBox,
        flags: ConnectionFlags
    ) async throws {
        let slow = plan.role == .slowReader
        for try await message in inbound.messages(maxSize: configuration.maxMessageSize) {
            let now = ContinuousClock.now
            let (batch, size) = wire.batch(message)
            let (ack, playing) = box.withLock { session -> (ClientMessage?, Bool) in
                guard let batch else {
                    session.receivedUndecodable(size: size, at: now)
                    return (nil, session.phase == .playing)
                }
                return (session.received(batch, size: size, at: now), session.phase == .playing)
            }
            if playing, !flags.playing.load(ordering: .relaxed) {
                flags.playing.store(true, ordering: .relaxed)
                recorder.adjust(playing: 1)
            }
            if let ack, !flags.closing.load(ordering: .relaxed) {
                try? await outbound.write(wire.frame(ack))
            }
            if slow, !flags.closing.load(ordering: .relaxed) {
                try await Task.sleep(for: configuration.slowReadDelay)
            }
        }
    }
}

/// What a connection's reader and sender tell each other.
private final class ConnectionFlags: Sendable {
    /// The bot is closing the connection: stop acknowledging and stop reading slowly.
    let closing = Atomic(false)
    /// The player was welcomed on this connection.
    let playing = Atomic(false)
}
