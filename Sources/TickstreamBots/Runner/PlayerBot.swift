import Logging
import NIOCore
import NIOWebSocket
import TickstreamProtocol

/// A well-behaved player (or spectator, or slow reader): connects, joins, plays until its plan interrupts it or the
/// run ends, and reconnects when the server closes on it.
///
/// Lives on its loop's event loop, with its session and its connection: frames in and out never leave that thread.
final class PlayerBot: WebSocketBotDelegate {
    private let plan: BotPlan
    private let loop: BotLoop
    /// Kept apart from `run`, which frames should not copy.
    private let wire: BotWire
    private let logger: Logger
    private var session: BotSession
    /// The planned interruptions still to come.
    private var interruptions: ArraySlice<BotPlan.Interruption>
    private var connection: WebSocketBotConnection<PlayerBot>?
    /// The interruption the current connection ends at (nil: it ends with the run), and the task that ends it.
    private var interruption: BotPlan.Interruption?
    private var deadline: Scheduled<Void>?
    /// Counted as playing in the progress line.
    private var isPlaying = false
    /// How many players of this plan left so far: each one after is a new player, with an id of its own.
    private var generation = 0

    private var run: BotRun { loop.run }

    init(plan: BotPlan, loop: BotLoop, logger: Logger) {
        self.plan = plan
        self.loop = loop
        wire = loop.run.wire
        self.logger = logger
        interruptions = plan.interruptions[...]
        session = BotSession(
            configuration: .init(
                room: plan.room,
                isJSON: loop.run.configuration.isJSON,
                sendsInputs: plan.sendsInputs,
                resumes: true,
                window: loop.run.window,
                seed: UInt64(plan.index + 1)
            )
        )
    }

    func start() {
        loop.schedule(at: run.start + plan.connectAt) { [self] in connect() }
    }

    /// Sends the next input if the player is in a room and its connection is not closing.
    func sendInputIfDue(at now: ContinuousClock.Instant) {
        guard let connection, connection.canSend, let input = session.nextInput(at: now) else { return }
        send(input, on: connection)
    }

    /// The loop ran too late to send this input.
    func skipInput() {
        session.skipInput()
    }

    /// What the session measured since the last hand-over. A slow reader's own latency is its choice, not the
    /// server's: the scenario measures whether the others are still served, so its latencies are left out.
    func takeMeasurements() -> BotMeasurements {
        var measurements = session.takeMeasurements()
        if plan.role == .slowReader {
            measurements.latencies = []
            measurements.latenciesOutsideWindow = []
        }
        return measurements
    }

    func received(_ message: ByteBuffer, opcode: WebSocketOpcode, wireSize: Int) {
        let now = ContinuousClock.now
        let ack: ClientMessage?
        if let batch = wire.batch(message, opcode: opcode) {
            ack = session.received(batch, size: wireSize, at: now)
        } else {
            session.receivedUndecodable(size: wireSize, at: now)
            ack = nil
        }
        if !isPlaying, session.phase == .playing {
            isPlaying = true
            loop.adjust(playing: 1)
        }
        if let ack, let connection, connection.canSend {
            send(ack, on: connection)
        }
    }

    func connectionClosed(serverCloseCode: Int?, closedByBot: Bool) {
        deadline?.cancel()
        deadline = nil
        connection = nil
        loop.adjust(connected: -1, playing: isPlaying ? -1 : 0)
        isPlaying = false
        var pause: Duration = .seconds(1)
        if closedByBot {
            session.disconnected(serverCloseCode: nil)
            if let interruption {
                interruptions.removeFirst()
                if interruption.kind == .leave {
                    session.forget()
                    generation += 1
                }
                pause = interruption.pause
            }
        } else {
            let code = serverCloseCode ?? 0
            session.disconnected(serverCloseCode: code)
            logger.debug("Server closed the connection", metadata: ["code": "\(code)", "room": "\(plan.room)"])
        }
        reconnect(after: pause)
    }

    /// One connection, until the next interruption or the end of the run, or until the server closes it.
    private func connect() {
        guard ContinuousClock.now < run.window.end else {
            loop.botFinished()
            return
        }
        interruption = interruptions.first.flatMap { run.start + $0.at < run.window.end ? $0 : nil }
        let end = interruption.map { run.start + $0.at } ?? run.window.end
        let connection = WebSocketBotConnection(delegate: self, maskingSeed: .random(in: .min ... .max))
        let slowReadDelay = plan.role == .slowReader ? TimeAmount(run.configuration.slowReadDelay) : nil
        let token = run.token(for: plan, generation: generation)
        run.connector.connect(on: loop.eventLoop, token: token) { pipeline, deflate in
            if let slowReadDelay {
                try pipeline.addHandler(SlowReadHandler(delay: slowReadDelay))
            }
            connection.deflate = deflate
            try pipeline.addHandler(connection)
        }
        .assumeIsolated()
        .whenComplete { [self] result in
            switch result {
            case .success:
                opened(connection, until: end)
            case .failure(let error):
                logger.debug("Connection failed", metadata: ["error": "\(error)", "room": "\(plan.room)"])
                session.connectFailed()
                session.disconnected(serverCloseCode: 0)
                reconnect(after: .seconds(1))
            }
        }
    }

    private func opened(_ connection: WebSocketBotConnection<PlayerBot>, until end: ContinuousClock.Instant) {
        connection.open()
        self.connection = connection
        loop.adjust(connected: 1)
        let openedAt = ContinuousClock.now
        send(session.connected(at: openedAt), on: connection)
        _ = loop.schedule(at: openedAt + BotSession.joinTimeout) { [self] in
            session.joinDeadlinePassed(forConnectionOpenedAt: openedAt)
        }
        deadline = loop.schedule(at: end) { [self] in
            deadline = nil
            guard let connection = self.connection else { return }
            if interruption?.kind == .leave {
                var leave = ClientMessage()
                leave.message = .leave(.init())
                send(leave, on: connection)
            }
            connection.close()
        }
    }

    private func reconnect(after pause: Duration) {
        guard ContinuousClock.now < run.window.end else {
            loop.botFinished()
            return
        }
        loop.schedule(at: .now + pause) { [self] in connect() }
    }

    private func send(_ message: ClientMessage, on connection: WebSocketBotConnection<PlayerBot>) {
        do {
            connection.send(try wire.payload(message), opcode: wire.opcode)
        } catch {
            logger.error("Could not serialize a client message", metadata: ["error": "\(error)"])
        }
    }
}
