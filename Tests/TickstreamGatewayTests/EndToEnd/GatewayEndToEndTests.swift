import Foundation
import NIOCore
import NIOWebSocket
import ServiceLifecycle
import SwiftProtobuf
import Synchronization
import Testing
import TickstreamArena
@testable import TickstreamGateway
import TickstreamKafka
import TickstreamProtocol
import TickstreamRules
import TickstreamTesting
import WSClient

/// Real WebSockets against the real pipeline in-process: embedded Kafka, a simulation worker, the gateway.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct GatewayEndToEndTests {
    static let east = ArenaInput(heading: .east).payload
    static let south = ArenaInput(heading: .south).payload

    static func field(_ table: EntityTable?, _ entity: UInt32, _ field: Int) -> Int64? {
        table?[id: entity]?.fields[field]
    }

    /// A fresh client can still connect and get a pong: the server keeps serving the others.
    static func expectServing(_ harness: GatewayHarness) async throws {
        let (nonce, _) = try await TestClient.connect(harness.url) { client in
            client.send(.ping(42))
            return try await client.next { message -> UInt64? in
                if case .pong(let pong) = message.message { pong.nonce } else { nil }
            }
        }
        #expect(nonce == 42)
    }

    /// `serve`'s wiring: the gateway's inputs and the worker's states go through one producer, and neither closes it
    /// while the other still sends (the gateway stops first; the worker's final checkpoints come after).
    @Test func aGatewayAndAWorkerSharingOneProducerPlayAndStopWithTheirRecordsDelivered() async throws {
        let capture = LogCapture(passingOn: GatewayHarness.logger)
        try await GatewayHarness.run(sharingProducer: true, logger: capture.logger) { harness in
            _ = try await TestClient.connect(harness.url) { ann in
                ann.send(.join("shared"))
                _ = try await ann.next { $0.welcomeMessage }
                ann.send(.input(1, Self.east))
                _ = try await ann.play { _, snapshot in snapshot.lastAppliedSequence == 1 }
            }
        }
        let messages = capture.messages
        #expect(messages.contains { $0.hasPrefix("worker stopped [") }, "the worker delivered its final checkpoints")
        #expect(!messages.contains { $0.hasPrefix("worker stopped without") })
        #expect(!messages.contains { $0.hasPrefix("Kafka producer shuts down with records unflushed") })
    }

    @Test func twoPlayersSeeEachOtherMoveAndTheirOwnLastAppliedSequence() async throws {
        try await GatewayHarness.run { harness in
            _ = try await TestClient.connect(harness.url) { ann in
                ann.send(.join("duel"))
                let annWelcome = try await ann.next { $0.welcomeMessage }
                #expect(annWelcome.room == "duel")
                #expect(annWelcome.rulesName == "arena")
                #expect(annWelcome.kinds.map(\.name) == ["player", "pickup"])
                _ = try await TestClient.connect(harness.url) { bob in
                    bob.send(.join("duel"))
                    let bobWelcome = try await bob.next { $0.welcomeMessage }
                    #expect(bobWelcome.playerID != annWelcome.playerID, "the gateway names each player")
                    let joined = try await ann.next { message -> String? in
                        if case .playerJoined(let joined) = message.message { joined.playerID } else { nil }
                    }
                    #expect(joined == bobWelcome.playerID)

                    ann.send(.input(1, Self.east))
                    bob.send(.input(1, Self.south))
                    bob.send(.input(2, Self.south))
                    // Each sees both inputs take effect: the headings, since a player that spawned by a wall does not move.
                    let heading = ArenaSchema.Player.heading
                    let east = ArenaHeading.east.rawValue
                    let south = ArenaHeading.south.rawValue
                    async let annView = ann.play { table, snapshot in
                        snapshot.lastAppliedSequence == 1
                            && Self.field(table, annWelcome.entityID, heading) == east
                            && Self.field(table, bobWelcome.entityID, heading) == south
                    }
                    async let bobView = bob.play { table, snapshot in
                        snapshot.lastAppliedSequence == 2
                            && Self.field(table, annWelcome.entityID, heading) == east
                            && Self.field(table, bobWelcome.entityID, heading) == south
                    }
                    let (annTracker, bobTracker) = try await (annView, bobView)
                    #expect(annTracker.latestTick > 0)
                    #expect(bobTracker.latestTick > 0)
                }
            }
        }
    }

    @Test func theJSONSubprotocolCarriesEntitiesByName() async throws {
        try await GatewayHarness.run { harness in
            _ = try await TestClient.connect(harness.url, subprotocol: "tickstream.v1.json") { client in
                client.send(.join("json-room"))
                let welcome = try await client.next { $0.welcomeMessage }
                client.send(.input(1, Self.east))
                // Without acknowledgements every snapshot is a keyframe: every entity with every field.
                _ = try await client.play(acknowledge: false) { _, snapshot in
                    guard snapshot.baselineTick == 0, snapshot.payload.isEmpty, snapshot.lastAppliedSequence == 1 else { return false }
                    guard let own = snapshot.entities.first(where: { $0.id == welcome.entityID }) else { return false }
                    return own.kind == "player" && own.fields["heading"] == ArenaHeading.east.rawValue && own.fields.count == 7
                }
                // With them, deltas name only what changed.
                _ = try await client.play { _, snapshot in
                    snapshot.baselineTick != 0 && snapshot.entities.allSatisfy { $0.fields["heading"] == nil }
                }
            }
        }
    }

    @Test func anInputCarriesTheAcknowledgementOfATick() async throws {
        try await GatewayHarness.run { harness in
            _ = try await TestClient.connect(harness.url, subprotocol: "tickstream.v1.json") { client in
                client.send(.join("ack-in-input-room"))
                _ = try await client.next { $0.welcomeMessage }
                let keyframe = try await client.next { $0.snapshotMessage }
                #expect(keyframe.baselineTick == 0, "nothing acknowledged yet")
                client.send(.input(1, Self.east, ackTick: keyframe.tick))
                // No Ack message: the input's acknowledgement makes the following snapshots deltas against that tick.
                let delta = try await client.next { message in
                    message.snapshotMessage.flatMap { $0.baselineTick != 0 ? $0 : nil }
                }
                #expect(delta.baselineTick == keyframe.tick)
            }
        }
    }

    @Test func theBinarySubprotocolIsChosenByNameAndByDefault() async throws {
        try await GatewayHarness.run { harness in
            for subprotocol in ["tickstream.v1.proto", nil] {
                _ = try await TestClient.connect(harness.url, subprotocol: subprotocol) { client in
                    client.send(.join("binary-room"))
                    _ = try await client.next { $0.welcomeMessage }
                    _ = try await client.play { table, _ in table != nil }
                }
            }
        }
    }

    @Test func permessageDeflateIsNegotiatedWhenOffered() async throws {
        try await GatewayHarness.run { harness in
            let capture = LogCapture()
            _ = try await TestClient.connect(harness.url, deflate: true, logger: capture.logger) { client in
                client.send(.join("deflate-room"))
                _ = try await client.next { $0.welcomeMessage }
                _ = try await client.play { table, _ in table != nil }
            }
            #expect(capture.messages.contains { $0.contains("Enabled extensions") && $0.contains("permessage-deflate") })
        }
    }

    /// The `OutboxWriter` compresses for a connection that negotiated permessage-deflate, and only for one.
    @Test func onlyAClientThatNegotiatedDeflateGetsCompressedMessages() async throws {
        try await GatewayHarness.run { harness in
            for deflate in [true, false] {
                let offer = deflate ? [("Sec-WebSocket-Extensions", "permessage-deflate")] : []
                let sniffer = try await FrameSniffer.connect(port: harness.port, headers: offer)
                try await sniffer.send(text: #"{"join":{"room":"sniffed-room"}}"#)
                let welcome = try await withTimeout(.seconds(20)) { () -> FrameSniffer.Frame? in
                    for await frame in sniffer.frames where frame.opcode == .text {
                        return frame
                    }
                    return nil
                }
                #expect(welcome?.compressed == deflate, deflate ? "deflate offered" : "no extension offered")
                try await sniffer.close()
            }
        }
    }

    /// The pings come from each connection's watchdog timer (swift-websocket's own are a task per connection).
    @Test func aClientThatDoesNotAnswerAPingIsClosedWith1001() async throws {
        try await GatewayHarness.run(configure: {
            $0.heartbeatInterval = .milliseconds(300)
            $0.closeTimeout = .seconds(1)
        }) { harness in
            let sniffer = try await FrameSniffer.connect(port: harness.port)
            let connected = ContinuousClock.now
            let frames = try await withTimeout(.seconds(10)) {
                var frames: [FrameSniffer.Frame] = []
                for await frame in sniffer.frames {
                    frames.append(frame)
                }
                return frames
            }
            #expect(frames.map(\.opcode) == [.ping, .connectionClose])
            #expect(frames.last?.closeCode == .goingAway)
            #expect(connected.duration(to: .now) >= .milliseconds(500), "a ping after an interval, the close an interval later")
        }
    }

    @Test func aQuietClientThatAnswersPingsStaysConnected() async throws {
        try await GatewayHarness.run(configure: { $0.heartbeatInterval = .milliseconds(200) }) { harness in
            _ = try await TestClient.connect(harness.url) { client in
                try await Task.sleep(for: .seconds(1.5))
                client.send(.join("quiet-room"))
                _ = try await client.next(timeout: .seconds(20)) { $0.welcomeMessage }
            }
        }
    }

    @Test func reconnectingWithTheLastAcknowledgedTickResumesWithADelta() async throws {
        try await GatewayHarness.run(configure: { $0.historyLength = 300 }) { harness in
            _ = try await TestClient.connect(harness.url) { keeper in
                // Keeps the room followed by this gateway while the other player reconnects.
                keeper.send(.join("resume-room"))
                _ = try await keeper.next { $0.welcomeMessage }
                let (tracker, _) = try await TestClient.connect(harness.url) { player in
                    player.send(.join("resume-room"))
                    _ = try await player.next { $0.welcomeMessage }
                    let count = Mutex(0)
                    return try await player.play { _, _ in
                        count.withLock { count in
                            count += 1
                            return count == 5
                        }
                    }
                }
                let acknowledged = tracker.latestTick
                let (first, _) = try await TestClient.connect(harness.url) { player in
                    player.send(.join("resume-room", resume: acknowledged))
                    _ = try await player.next { $0.welcomeMessage }
                    return try await player.next { $0.snapshotMessage }
                }
                #expect(first.baselineTick == acknowledged)
                var resumed = tracker
                #expect(throws: Never.self) { try resumed.apply(first) }
            }
        }
    }

    @Test func aSlowReaderDoesNotSlowTheOthers() async throws {
        try await GatewayHarness.run { harness in
            _ = try await TestClient.connect(harness.url, readDelay: .milliseconds(500)) { slow in
                slow.send(.join("slow-room"))
                _ = try await TestClient.connect(harness.url) { fast in
                    fast.send(.join("slow-room"))
                    _ = try await fast.next { $0.welcomeMessage }
                    let tracker = try await fast.play { table, _ in table != nil }
                    let start = ContinuousClock.now
                    let arrivals = Mutex<[ContinuousClock.Instant]>([])
                    _ = try await fast.play(tracker: tracker) { _, _ in
                        arrivals.withLock { $0.append(.now) }
                        return ContinuousClock.now - start > .seconds(2)
                    }
                    let times = arrivals.withLock { $0 }
                    let ticks = times.count
                    let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
                    // 30 ticks per second: a reader held up by the slow one would see a few per second.
                    #expect(ticks >= 40, "\(ticks) snapshots in 2 s")
                    #expect((gaps.max() ?? .zero) < .milliseconds(400), "longest gap \(gaps.max() ?? .zero)")
                }
            }
        }
    }

    @Test func anOversizedFrameClosesWith1009() async throws {
        try await GatewayHarness.run { harness in
            let (_, close) = try await TestClient.connect(harness.url) { client in
                client.send(frame: .binary(ByteBuffer(repeating: 0, count: 20_000)))
                try await client.waitForClose()
            }
            #expect(close?.closeCode == .messageTooLarge)
            try await Self.expectServing(harness)
        }
    }

    /// A message may come in fragments: the gateway reads them as one (here a join split in three frames).
    @Test func aMessageInFragmentsIsReadAsOne() async throws {
        try await GatewayHarness.run { harness in
            let (welcome, _) = try await TestClient.connect(harness.url) { client in
                let join: [UInt8] = try ClientMessage.join("fragments").serializedBytes()
                let (first, second) = (join.count / 3, 2 * join.count / 3)
                client.send(frame: .custom(WebSocketFrame(fin: false, opcode: .binary, data: ByteBuffer(bytes: join[..<first]))))
                client.send(frame: .custom(WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer(bytes: join[first..<second]))))
                client.send(frame: .custom(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(bytes: join[second...]))))
                return try await client.next { $0.welcomeMessage }
            }
            #expect(welcome.room == "fragments")
        }
    }

    /// Fragments whose frames each pass the frame limit but together exceed the message limit close with 1009.
    @Test func anOversizedMessageInFragmentsClosesWith1009() async throws {
        try await GatewayHarness.run { harness in
            let (_, close) = try await TestClient.connect(harness.url) { client in
                let fragment = ByteBuffer(repeating: 0, count: 10_000)
                client.send(frame: .custom(WebSocketFrame(fin: false, opcode: .binary, data: fragment)))
                client.send(frame: .custom(WebSocketFrame(fin: false, opcode: .continuation, data: fragment)))
                try await client.waitForClose()
            }
            #expect(close?.closeCode == .messageTooLarge)
            try await Self.expectServing(harness)
        }
    }

    /// `text` compressed as a client with permessage-deflate sends it.
    private static func compressed(_ text: String) throws -> [UInt8] {
        Array(buffer: try MessageDeflater(windowBits: 15, resetsAfterEachMessage: false).deflate(ByteBuffer(string: text)))
    }

    /// A join sent compressed is inflated on the event loop and answered; the answer (a welcome, past the gateway's
    /// 256 bytes) comes compressed too.
    @Test func aCompressedMessageIsInflated() async throws {
        try await GatewayHarness.run { harness in
            let sniffer = try await FrameSniffer.connect(port: harness.port, headers: [("Sec-WebSocket-Extensions", "permessage-deflate")])
            try await sniffer.send(payload: Self.compressed(#"{"join": {"room": "inflated-room"}}"#), compressed: true)
            let welcome = try await withTimeout(.seconds(20)) { () -> FrameSniffer.Frame? in
                for await frame in sniffer.frames where frame.opcode == .text {
                    return frame
                }
                return nil
            }
            let answer = try #require(welcome)
            #expect(answer.compressed)
            let text = String(buffer: try MessageInflater(maxSize: 1 << 20, resetsAfterEachMessage: false).inflate(answer.data))
            #expect(text.contains("welcome") && text.contains("inflated-room"), "\(text)")
            try? await sniffer.close()
        }
    }

    /// 20,000 spaces compress to a small frame, within the frame limit, but inflate past the 16 KiB message limit.
    @Test func aCompressedMessageInflatingPastTheLimitClosesWith1009() async throws {
        try await GatewayHarness.run { harness in
            let sniffer = try await FrameSniffer.connect(port: harness.port, headers: [("Sec-WebSocket-Extensions", "permessage-deflate")])
            let payload = try Self.compressed(String(repeating: " ", count: 20_000))
            #expect(payload.count < 1_000, "far below the 16 KiB frame limit")
            try await sniffer.send(payload: payload, compressed: true)
            let close = try await withTimeout(.seconds(20)) { () -> FrameSniffer.Frame? in
                for await frame in sniffer.frames where frame.opcode == .connectionClose {
                    return frame
                }
                return nil
            }
            #expect(close?.closeCode == .messageTooLarge)
            try? await sniffer.close()
            try await Self.expectServing(harness)
        }
    }

    /// RSV1 marks a compressed message: bytes that do not inflate close with 1007 once permessage-deflate was
    /// negotiated, and RSV1 without it with 1002.
    @Test func aCompressedMessageThatDoesNotInflateClosesWith1007AndOneWithoutTheExtensionWith1002() async throws {
        try await GatewayHarness.run { harness in
            for (offered, code) in [(true, WebSocketErrorCode.dataInconsistentWithMessage), (false, .protocolError)] {
                let offer = offered ? [("Sec-WebSocket-Extensions", "permessage-deflate")] : []
                let sniffer = try await FrameSniffer.connect(port: harness.port, headers: offer)
                try await sniffer.send(payload: [0x01, 0x02, 0x03], compressed: true)
                let close = try await withTimeout(.seconds(20)) { () -> FrameSniffer.Frame? in
                    for await frame in sniffer.frames where frame.opcode == .connectionClose {
                        return frame
                    }
                    return nil
                }
                #expect(close?.closeCode == code, offered ? "deflate negotiated" : "no extension")
                try? await sniffer.close()
            }
            try await Self.expectServing(harness)
        }
    }

    /// A continuation with no message to continue, or a new message before the last one's final frame, breaks the
    /// protocol: 1002, as for any other violation.
    @Test func fragmentsOutOfOrderCloseWith1002() async throws {
        let violations: [[WebSocketFrame]] = [
            [WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(bytes: [1]))],
            [
                WebSocketFrame(fin: false, opcode: .binary, data: ByteBuffer(bytes: [1])),
                WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [2])),
            ],
        ]
        try await GatewayHarness.run { harness in
            for frames in violations {
                let (_, close) = try await TestClient.connect(harness.url) { client in
                    for frame in frames {
                        client.send(frame: .custom(frame))
                    }
                    try await client.waitForClose()
                }
                #expect(close?.closeCode == .protocolError)
            }
            try await Self.expectServing(harness)
        }
    }

    @Test func garbageIsAnsweredThenClosesWith1007() async throws {
        try await GatewayHarness.run { harness in
            let (errors, close) = try await TestClient.connect(harness.url) { client in
                for _ in 0..<3 {
                    client.send(frame: .binary(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF])))
                }
                var codes: [ErrorCode] = []
                for await message in client.messages {
                    if let error = message.errorMessage { codes.append(error.code) }
                }
                return codes
            }
            #expect(errors == [.malformedMessage, .malformedMessage, .malformedMessage])
            #expect(close?.closeCode == .dataInconsistentWithMessage)
            try await Self.expectServing(harness)
        }
    }

    @Test func floodingIsThrottled() async throws {
        try await GatewayHarness.run { harness in
            _ = try await TestClient.connect(harness.url) { client in
                client.send(.join("flood-room"))
                _ = try await client.next { $0.welcomeMessage }
                for sequence in 1...100 as ClosedRange<UInt64> {
                    client.send(.input(sequence, Self.east))
                }
                let throttled = try await client.next { message in message.errorMessage.flatMap { $0.code == .throttled ? $0 : nil } }
                #expect(throttled.sequence > 30, "the burst passes")
            }
            try await Self.expectServing(harness)
        }
    }

    @Test func joiningAFullRoomIsRejected() async throws {
        try await GatewayHarness.run(rules: ArenaRules(maxPlayers: 2)) { harness in
            _ = try await TestClient.connect(harness.url) { first in
                first.send(.join("small"))
                _ = try await first.next { $0.welcomeMessage }
                _ = try await TestClient.connect(harness.url) { second in
                    second.send(.join("small"))
                    _ = try await second.next { $0.welcomeMessage }
                    _ = try await TestClient.connect(harness.url) { third in
                        third.send(.join("small"))
                        let error = try await third.next { $0.errorMessage }
                        #expect(error.code == .joinRejected)
                        // The refused player may join another room.
                        third.send(.join("other"))
                        _ = try await third.next { $0.welcomeMessage }
                    }
                }
            }
        }
    }

    @Test func gracefulShutdownClosesClientsWith1001AndKeepsTheirInputs() async throws {
        try await GatewayHarness.run { harness in
            let (player, close) = try await TestClient.connect(harness.url) { client in
                client.send(.join("last-room"))
                let welcome = try await client.next { $0.welcomeMessage }
                for sequence in 1...3 as ClosedRange<UInt64> {
                    client.send(.input(sequence, Self.east))
                }
                _ = try await client.play { _, snapshot in snapshot.lastAppliedSequence == 3 }
                await harness.services.triggerGracefulShutdown()
                try await client.waitForClose()
                return welcome.playerID
            }
            #expect(close?.closeCode == .goingAway)

            let actions = try await withTimeout(.seconds(20)) {
                while true {
                    let records = try await harness.cluster.records(of: harness.cluster.topics.inputs)
                    let actions = try records.map { try InputRecord(serializedBytes: $0.value) }.filter { $0.player == player }
                    if actions.contains(where: { if case .leave = $0.action { true } else { false } }) {
                        return actions
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let inputs = actions.compactMap { record -> UInt64? in
                if case .input(let input) = record.action { input.sequence } else { nil }
            }
            #expect(inputs == [1, 2, 3])
            #expect(actions.allSatisfy { $0.gateway == harness.gatewayID && $0.room == "last-room" })
            guard case .leave(let leave) = actions.last?.action else {
                Issue.record("the last record of the player is not its leave")
                return
            }
            #expect(leave.dropped)
        }
    }
}
