import Foundation
import Logging
import NIOCore
import NIOWebSocket
import SwiftProtobuf
import Synchronization
import TickstreamProtocol
import WSClient

/// A client that misbehaves on purpose, again and again until the run ends, and checks that the gateway answers
/// each time with the error and close code the protocol promises.
struct AbusiveBot: Sendable {
    let plan: BotPlan
    let kind: AbuseKind
    let configuration: BotConfiguration
    let start: ContinuousClock.Instant
    let window: MeasurementWindow
    let recorder: BotRecorder
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    /// How long the gateway has to answer before the attempt counts as unanswered.
    private static let answerTimeout: Duration = .seconds(10)
    /// The pause between attempts.
    private static let pause: Duration = .seconds(1)

    private var wire: BotWire { BotWire(isJSON: configuration.isJSON) }

    func run() async {
        guard (try? await Task.sleep(until: start + plan.connectAt)) != nil else { return }
        while ContinuousClock.now < window.end, !Task.isCancelled {
            recorder.add(await attempt(), abusive: true)
            guard (try? await Task.sleep(for: Self.pause)) != nil else { return }
        }
    }

    /// One connection: join, wait for the welcome, misbehave, and read until the gateway closes.
    private func attempt() async -> BotMeasurements {
        var measurements = BotMeasurements()
        measurements.counters.abuseAttempts[kind.rawValue] = 1
        var clientConfiguration = WebSocketClientConfiguration(
            maxFrameSize: max(configuration.maxMessageSize, configuration.oversizedFrameSize * 2),
            closeTimeout: .seconds(2)
        )
        clientConfiguration.additionalHeaders = configuration.headers
        let received = ReceivedErrors()
        let deadline = min(ContinuousClock.now + Self.answerTimeout, window.end + .seconds(2))
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: configuration.url,
                configuration: clientConfiguration,
                eventLoopGroup: eventLoopGroup,
                logger: logger
            ) { inbound, outbound, _ in
                var join = ClientMessage()
                join.message = .join(.with { $0.room = plan.room })
                try await outbound.write(wire.frame(join))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let (welcomed, welcome) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                    group.addTask {
                        // Misbehave once welcomed; give up (and close) if the gateway has not closed by the deadline.
                        for await _ in welcomed {
                            try? await misbehave(outbound)
                            break
                        }
                        _ = try? await Task.sleep(until: deadline)
                        try? await outbound.close(.normalClosure, reason: "no answer")
                    }
                    for try await message in inbound.messages(maxSize: configuration.maxMessageSize) {
                        guard let batch = wire.batch(message).batch else { continue }
                        for message in batch.messages {
                            switch message.message {
                            case .welcome:
                                welcome.yield()
                            case .error(let error):
                                received.count(error.code)
                            default:
                                break
                            }
                        }
                    }
                    welcome.finish()
                    group.cancelAll()
                }
            }
            let code = closeFrame.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) } ?? 0
            measurements.counters.serverCloses[code] = 1
            if code == kind.expectedCloseCode {
                measurements.counters.abuseAnswered[kind.rawValue] = 1
            }
        } catch {
            logger.debug("Abusive connection failed", metadata: ["kind": "\(kind)", "error": "\(error)"])
            measurements.counters.serverCloses[0] = 1
        }
        measurements.counters.errors = received.codes.withLock { $0 }
        return measurements
    }

    private func misbehave(_ outbound: WebSocketOutboundWriter) async throws {
        switch kind {
        case .malformed:
            // Not a ClientMessage: an invalid wire type (binary), or not JSON at all (text); more than the gateway
            // tolerates.
            for _ in 0..<10 {
                if configuration.isJSON {
                    try await outbound.write(.text("{\"join\": "))
                } else {
                    try await outbound.write(.binary(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0x7F])))
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        case .oversized:
            // One frame, not fragmented, over the gateway's limit.
            let frame = WebSocketFrame(
                fin: true,
                opcode: configuration.isJSON ? .text : .binary,
                data: ByteBuffer(repeating: UInt8(ascii: "x"), count: configuration.oversizedFrameSize)
            )
            try await outbound.write(.custom(frame))
        case .flood:
            // Far over the rate limit, as fast as the socket takes them.
            for sequence in UInt64(1)...10_000 {
                var input = ClientMessage()
                input.message = .input(.with {
                    $0.sequence = sequence
                    $0.payload = Data([0, 0])
                })
                try await outbound.write(wire.frame(input))
            }
        }
    }
}

/// The error codes an abusive connection received, counted by its reader.
private final class ReceivedErrors: Sendable {
    let codes = Mutex<[Int: Int]>([:])

    func count(_ code: ErrorCode) {
        codes.withLock { $0[code.rawValue, default: 0] += 1 }
    }
}
