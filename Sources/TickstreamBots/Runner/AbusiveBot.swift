import Foundation
import Logging
import NIOCore
import NIOWebSocket
import SwiftProtobuf
import TickstreamProtocol

/// A client that misbehaves on purpose, again and again until the run ends, and checks that the gateway answers
/// each time with the error and close code the protocol promises.
///
/// Lives on its loop's event loop, like the players.
final class AbusiveBot: WebSocketBotDelegate {
    /// How long the gateway has to answer before the attempt counts as unanswered.
    private static let answerTimeout: Duration = .seconds(10)
    /// The pause between attempts.
    private static let pause: Duration = .seconds(1)
    /// Malformed messages per attempt, and the pause between them.
    private static let malformedCount = 10
    private static let malformedPause: Duration = .milliseconds(20)
    /// Inputs per flood, far over the rate limit.
    private static let floodCount: UInt64 = 10_000
    /// Inputs per flush of a flood.
    private static let floodBurst: UInt64 = 16

    private let plan: BotPlan
    private let kind: AbuseKind
    private let loop: BotLoop
    private let logger: Logger
    private var connection: WebSocketBotConnection<AbusiveBot>?
    /// The current attempt's figures.
    private var measurements = BotMeasurements()
    private var hasMisbehaved = false
    private var timeout: Scheduled<Void>?

    private var run: BotRun { loop.run }

    init(plan: BotPlan, kind: AbuseKind, loop: BotLoop, logger: Logger) {
        self.plan = plan
        self.kind = kind
        self.loop = loop
        self.logger = logger
    }

    func start() {
        loop.schedule(at: run.start + plan.connectAt) { [self] in attempt() }
    }

    func received(_ message: ByteBuffer, opcode: WebSocketOpcode, wireSize: Int) {
        guard let batch = run.wire.batch(message, opcode: opcode) else { return }
        for message in batch.messages {
            switch message.message {
            case .welcome where !hasMisbehaved:
                hasMisbehaved = true
                misbehave()
            case .error(let error):
                measurements.counters.errors[error.code.rawValue, default: 0] += 1
            default:
                break
            }
        }
    }

    func connectionClosed(serverCloseCode: Int?, closedByBot: Bool) {
        timeout?.cancel()
        timeout = nil
        connection = nil
        let code = serverCloseCode ?? 0
        measurements.counters.serverCloses[code] = 1
        if code == kind.expectedCloseCode {
            measurements.counters.abuseAnswered[kind.rawValue] = 1
        }
        next()
    }

    /// One connection: join, wait for the welcome, misbehave, and read until the gateway closes.
    private func attempt() {
        guard ContinuousClock.now < run.window.end else {
            loop.botFinished()
            return
        }
        measurements = BotMeasurements()
        measurements.counters.abuseAttempts[kind.rawValue] = 1
        hasMisbehaved = false
        let giveUp = min(ContinuousClock.now + Self.answerTimeout, run.window.end + .seconds(2))
        let connection = WebSocketBotConnection(delegate: self, maskingSeed: .random(in: .min ... .max))
        run.connector.connect(on: loop.eventLoop, token: run.token(for: plan)) { pipeline, deflate in
            connection.deflate = deflate
            try pipeline.addHandler(connection)
        }
        .assumeIsolated()
        .whenComplete { [self] result in
            switch result {
            case .success:
                connection.open()
                self.connection = connection
                var join = ClientMessage()
                join.message = .join(.with { $0.room = plan.room })
                send(join)
                // Give up (and close) if the gateway has not closed by then.
                timeout = loop.schedule(at: giveUp) { [self] in
                    timeout = nil
                    self.connection?.close(reason: "no answer")
                }
            case .failure(let error):
                logger.debug("Abusive connection failed", metadata: ["kind": "\(kind)", "error": "\(error)"])
                measurements.counters.serverCloses[0] = 1
                next()
            }
        }
    }

    /// Hands the attempt over and starts the next one after a pause.
    private func next() {
        loop.addAbuse(measurements)
        loop.schedule(at: .now + Self.pause) { [self] in attempt() }
    }

    private func misbehave() {
        guard let connection else { return }
        switch kind {
        case .malformed:
            sendMalformed(remaining: Self.malformedCount)
        case .oversized:
            // One frame, not fragmented, over the gateway's limit.
            let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: run.configuration.oversizedFrameSize)
            connection.send(payload, opcode: run.wire.opcode)
        case .flood:
            sendFlood(from: 1)
        }
    }

    /// Inputs far over the rate limit, as fast as the socket takes them: a few per event loop turn, so that the
    /// gateway's errors and close frame are read in between, and none once it has closed.
    private func sendFlood(from first: UInt64) {
        guard first <= Self.floodCount, let connection, connection.canSend else { return }
        let last = min(first + Self.floodBurst - 1, Self.floodCount)
        for sequence in first...last {
            var input = ClientMessage()
            input.message = .input(.with {
                $0.sequence = sequence
                $0.payload = Data([0, 0])
            })
            send(input, flush: false)
        }
        connection.flush()
        loop.eventLoop.assumeIsolated().execute { [self] in sendFlood(from: last + 1) }
    }

    /// Not a ClientMessage: an invalid wire type (binary), or not JSON at all (text); more than the gateway tolerates.
    private func sendMalformed(remaining: Int) {
        guard remaining > 0, let connection else { return }
        let payload = run.configuration.isJSON ? ByteBuffer(string: "{\"join\": ") : ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0x7F])
        connection.send(payload, opcode: run.wire.opcode)
        loop.schedule(at: .now + Self.malformedPause) { [self] in sendMalformed(remaining: remaining - 1) }
    }

    private func send(_ message: ClientMessage, flush: Bool = true) {
        do {
            connection?.send(try run.wire.payload(message), opcode: run.wire.opcode, flush: flush)
        } catch {
            logger.error("Could not serialize a client message", metadata: ["error": "\(error)"])
        }
    }
}
