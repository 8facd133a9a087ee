import Foundation
import HTTPTypes
public import Logging
import NIOCore
import NIOWebSocket
import SwiftProtobuf
import Synchronization
public import TickstreamProtocol
public import TickstreamRules
public import WSClient
import WSCompression

/// A game client over a real WebSocket: sends client messages, collects server messages.
public struct TestClient: Sendable {
    enum Outgoing: Sendable {
        case message(ClientMessage)
        case frame(WebSocketOutboundWriter.OutboundFrame)
        case close
    }

    public let json: Bool
    private let received: AsyncStream<ServerMessage>
    private let outgoing: AsyncStream<Outgoing>.Continuation

    public func send(_ message: ClientMessage) {
        outgoing.yield(.message(message))
    }

    public func send(frame: WebSocketOutboundWriter.OutboundFrame) {
        outgoing.yield(.frame(frame))
    }

    /// The messages from the server, in order; ends when the connection closes.
    public var messages: AsyncStream<ServerMessage> { received }

    /// The next message that `matches`, skipping others; fails after `timeout`.
    public func next<T: Sendable>(
        timeout: Duration = .seconds(45),
        _ matches: @escaping @Sendable (ServerMessage) -> T?
    ) async throws -> T {
        let received = self.received
        return try await withTimeout(timeout) {
            for await message in received {
                if let value = matches(message) { return value }
            }
            throw ConnectionClosed()
        }
    }

    public struct ConnectionClosed: Error {}
    public struct WrongFrameType: Error {}

    /// Reads snapshots, decoding binary ones with `tracker` and acknowledging each tick if `acknowledge`, until
    /// `done` returns true for one; returns the tracker.
    public func play(
        timeout: Duration = .seconds(45),
        tracker: SnapshotTracker = SnapshotTracker(),
        acknowledge: Bool = true,
        until done: @escaping @Sendable (EntityTable?, ServerMessage.Snapshot) -> Bool
    ) async throws -> SnapshotTracker {
        let received = self.received
        let json = self.json
        return try await withTimeout(timeout) {
            var tracker = tracker
            for await message in received {
                guard let snapshot = message.snapshotMessage else { continue }
                let table = json ? nil : try tracker.apply(snapshot)
                if acknowledge {
                    send(.ack(snapshot.tick))
                }
                if done(table, snapshot) { return tracker }
            }
            throw ConnectionClosed()
        }
    }

    /// Waits until the server closes the connection.
    public func waitForClose(timeout: Duration = .seconds(45)) async throws {
        let received = self.received
        try await withTimeout(timeout) {
            for await _ in received {}
        }
    }

    /// Quiet unless `TICKSTREAM_TEST_LOG_LEVEL` says otherwise (e.g. `debug`).
    public static let logger: Logger = {
        var logger = Logger(label: "tickstream.tests.client")
        logger.logLevel = ProcessInfo.processInfo.environment["TICKSTREAM_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        return logger
    }()

    /// Whether a slow client still reads slowly: only while its test runs, so that closing is quick.
    private final class Pace: Sendable {
        let slow = Atomic(true)
    }

    /// Connects to `url`, runs `body` with the client, closes, and returns the body's result and the server's
    /// close frame.
    public static func connect<T: Sendable>(
        _ url: String,
        subprotocol: String? = nil,
        deflate: Bool = false,
        logger: Logger = TestClient.logger,
        readDelay: Duration? = nil,
        _ body: @escaping @Sendable (TestClient) async throws -> T
    ) async throws -> (T, WebSocketCloseFrame?) {
        let (received, receivedContinuation) = AsyncStream.makeStream(of: ServerMessage.self, bufferingPolicy: .bufferingNewest(10_000))
        let (outgoing, outgoingContinuation) = AsyncStream.makeStream(of: Outgoing.self, bufferingPolicy: .bufferingNewest(10_000))
        let json = subprotocol == "tickstream.v1.json"
        var configuration = WebSocketClientConfiguration(
            maxFrameSize: 1 << 20,
            extensions: deflate ? [.perMessageDeflate(maxDecompressedFrameSize: 1 << 20)] : []
        )
        if let subprotocol {
            configuration.additionalHeaders[.secWebSocketProtocol] = subprotocol
        }
        let client = TestClient(json: json, received: received, outgoing: outgoingContinuation)
        let clientConfiguration = configuration
        let pace = Pace()
        return try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
            group.addTask {
                defer { receivedContinuation.finish() }
                return try await WebSocketClient.connect(url: url, configuration: clientConfiguration, logger: logger) { inbound, outbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { connection in
                        connection.addTask {
                            for await item in outgoing {
                                switch item {
                                case .message(let message):
                                    if json {
                                        try await outbound.write(.text(try message.jsonString()))
                                    } else {
                                        let bytes: [UInt8] = try message.serializedBytes()
                                        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                                    }
                                case .frame(let frame):
                                    try await outbound.write(frame)
                                case .close:
                                    try await outbound.close(.normalClosure, reason: nil)
                                    return
                                }
                            }
                        }
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            if let readDelay, pace.slow.load(ordering: .relaxed) {
                                try await Task.sleep(for: readDelay)
                            }
                            let batch: ServerBatch
                            switch message {
                            case .text(let text):
                                guard json else { throw WrongFrameType() }
                                batch = try ServerBatch(jsonString: text)
                            case .binary(let buffer):
                                guard !json else { throw WrongFrameType() }
                                batch = try ServerBatch(serializedBytes: Array(buffer.readableBytesView))
                            }
                            for message in batch.messages {
                                receivedContinuation.yield(message)
                            }
                        }
                        connection.cancelAll()
                    }
                }
            }
            let result: T
            do {
                result = try await body(client)
            } catch {
                pace.slow.store(false, ordering: .relaxed)
                outgoingContinuation.yield(.close)
                outgoingContinuation.finish()
                _ = try? await group.next()
                throw error
            }
            pace.slow.store(false, ordering: .relaxed)
            outgoingContinuation.yield(.close)
            outgoingContinuation.finish()
            let close = try await group.next() ?? nil
            return (result, close)
        }
    }
}

extension ServerMessage {
    public var welcomeMessage: ServerMessage.Welcome? {
        if case .welcome(let welcome) = message { welcome } else { nil }
    }

    public var snapshotMessage: ServerMessage.Snapshot? {
        if case .snapshot(let snapshot) = message { snapshot } else { nil }
    }

    public var errorMessage: ServerMessage.Error? {
        if case .error(let error) = message { error } else { nil }
    }
}

extension ClientMessage {
    public static func join(_ room: String, resume: UInt64 = 0) -> Self {
        .with { $0.join = .with { $0.room = room; $0.lastAcknowledgedTick = resume } }
    }

    public static func input(_ sequence: UInt64, _ payload: [UInt8], ackTick: UInt64 = 0) -> Self {
        .with { $0.input = .with { $0.sequence = sequence; $0.payload = Data(payload); $0.ackTick = ackTick } }
    }

    public static func ack(_ tick: UInt64) -> Self {
        .with { $0.ack = .with { $0.tick = tick } }
    }

    public static func ping(_ nonce: UInt64) -> Self {
        .with { $0.ping = .with { $0.nonce = nonce } }
    }
}
