import Foundation
import HummingbirdWebSocket
import NIOCore
import SwiftProtobuf
import Testing
import TickstreamArena
import TickstreamProtocol
import TickstreamRules
import TickstreamSimulation
import TickstreamSnapshot
@testable import TickstreamGateway

/// Random and mutated bytes through every decoder that reads what others wrote: the client-message decoders (binary
/// and JSON) with the session's state machine behind them, and the worker's and the gateway's Kafka record decoders.
/// Nothing may trap, what decodes stays proportionate to its input, and every refusal carries a code or a reason.
/// The same decoders run under libFuzzer with `tools/fuzz`.
@Suite struct DecoderRobustnessTests {
    /// SplitMix64: the same cases on every run, so that a failure can be reproduced from its case number.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A valid sample, or random bytes, then up to eight mutations (bit flips, inserts, deletes, truncation,
    /// interesting bytes).
    static func mutate(_ seeds: [[UInt8]], _ random: inout Generator) -> [UInt8] {
        if random.next() % 8 == 0 {
            return (0..<Int(random.next() % 96)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
        for _ in 0..<Int(random.next() % 8) {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            switch random.next() % 6 {
            case 0 where !bytes.isEmpty: bytes[position] ^= 1 << (random.next() % 8)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3: bytes = Array(bytes.prefix(position))
            case 4 where !bytes.isEmpty: bytes[position] = [0x00, 0xFF, 0x7F, 0x80, 0x22, 0x7B, 0x7D, 0x3A][Int(random.next() % 8)]
            default: bytes.insert(contentsOf: bytes.prefix(8), at: position)
            }
        }
        return bytes
    }

    static let clientSamples: [ClientMessage] = [
        .with { $0.join = .with { $0.room = "arena-1"; $0.lastAcknowledgedTick = 300; $0.spectate = true } },
        .with { $0.input = .with { $0.sequence = 7; $0.payload = Data([1, 255]) } },
        .with { $0.ack = .with { $0.tick = 1 << 40 } },
        .with { $0.relay = .with { $0.toPlayer = "p-1"; $0.kind = "chat"; $0.payload = Data("hello".utf8) } },
        .with { $0.ping = .with { $0.nonce = 42 } },
        .with { $0.leave = .init() },
    ]

    /// Decodes `message` as the connection does and runs it through a joined session; returns whether it decoded.
    static func checkClientMessage(_ message: WebSocketMessage, codec: MessageCodec, inputSize: Int) -> Bool {
        var session = SessionStateMachine(identity: SessionIdentity(player: "p-1"), rules: ArenaRules(), limits: GatewayLimits(), now: .now)
        _ = session.received(clientSamples[0], at: .now)
        let action: SessionStateMachine.Action
        let decoded: Bool
        var empty = false
        do {
            let clientMessage = try codec.decode(message)
            empty = clientMessage.message == nil
            let size = (try? clientMessage.serializedBytes() as [UInt8])?.count ?? 0
            #expect(size <= inputSize * 2 + 16, "a decoded message stays proportionate to its bytes")
            action = session.received(clientMessage, at: .now)
            decoded = true
        } catch {
            #expect(!error.reason.isEmpty)
            action = session.receivedMalformed(error.reason)
            decoded = false
        }
        switch action {
        case .reply(let reply), .close(_, _, let reply?):
            if case .error(let error) = reply.message {
                #expect(error.code != .unspecified, "every refusal has a code")
                // A message that decodes is malformed only if it carries nothing (no field of the oneof set).
                #expect(!decoded || empty || error.code != .malformedMessage)
            }
        case .close(_, _, nil):
            Issue.record("a close without the error that caused it")
        default:
            #expect(decoded, "only a decoded message does something")
        }
        return decoded
    }

    @Test func clientMessagesBinaryAndJSON() throws {
        var random = Generator(state: 1)
        let binarySeeds = try Self.clientSamples.map { try $0.serializedBytes() as [UInt8] }
        let jsonSeeds = try Self.clientSamples.map { Array(try $0.jsonString().utf8) }
        let binary = MessageCodec(format: .protobuf)
        let json = MessageCodec(format: .json)
        var decoded = (binary: 0, json: 0)
        for _ in 0..<35_000 {
            let bytes = Self.mutate(binarySeeds, &random)
            if Self.checkClientMessage(.binary(ByteBuffer(bytes: bytes)), codec: binary, inputSize: bytes.count) { decoded.binary += 1 }
        }
        for _ in 0..<35_000 {
            let bytes = Self.mutate(jsonSeeds, &random)
            // A WebSocket text message is UTF-8; NIO refuses anything else before the decoder.
            let text = String(decoding: bytes, as: UTF8.self)
            if Self.checkClientMessage(.text(text), codec: json, inputSize: text.utf8.count) { decoded.json += 1 }
        }
        print("client messages: 35,000 binary cases (\(decoded.binary) decoded), 35,000 JSON cases (\(decoded.json) decoded)")
    }

    @Test func kafkaRecords() throws {
        var random = Generator(state: 2)
        let rules = ArenaRules()
        let schema = rules.schema
        let entities = EntityTable([Entity(id: 1, kind: 0, fields: [100, 200, 0, 0, 0, 0, 0]), Entity(id: 2, kind: 1, fields: [5, 6, 1])])
        let inputSeeds: [[UInt8]] = try [
            InputRecord.with { $0.room = "r"; $0.player = "p-1"; $0.input = .with { $0.sequence = 3; $0.payload = Data([1, 0]) } },
            InputRecord.with { $0.room = "r"; $0.player = "p-1"; $0.join = .init() },
            InputRecord.with { $0.room = "r"; $0.player = "p-1"; $0.relay = .with { $0.toPlayer = "p-2"; $0.kind = "chat" } },
        ].map { try $0.serializedBytes() }
        let stateSeeds: [[UInt8]] = try [
            StateRecord.with {
                $0.room = "r"; $0.tick = 2
                $0.entities = Data(SnapshotCodec.encodeKeyframe(entities, schema: schema))
            },
            StateRecord.with {
                $0.room = "r"; $0.tick = 3; $0.baselineTick = 1
                $0.entities = Data(SnapshotCodec.encodeDelta(from: EntityTable(), baselineTick: 1, to: entities, tick: 3, schema: schema))
            },
        ].map { try $0.serializedBytes() }
        let state = RoomState(tick: 9, entities: entities, players: [RoomPlayer(id: "p-1", entity: 1)], nextEntityID: 3)
        let checkpointSeeds: [[UInt8]] = try [
            Checkpoint.with {
                $0.room = "r"; $0.tick = 9; $0.rulesName = rules.name; $0.rulesVersion = rules.version
                $0.entities = Data(SnapshotCodec.encodeKeyframe(entities, schema: schema))
                $0.players = [.with { $0.player = "p-1"; $0.entity = 1 }]
                $0.nextEntityID = 3; $0.stateHash = state.stateHash; $0.nextInputOffset = 12
            }
        ].map { try $0.serializedBytes() }

        var counts = (inputs: 0, states: 0, checkpoints: 0)
        for _ in 0..<12_000 {
            let bytes = Self.mutate(inputSeeds, &random)
            guard let record = try? InputRecord(serializedBytes: bytes) else { continue }
            do {
                _ = try RoomCommand(record)
                counts.inputs += 1
            } catch {
                #expect(!error.description.isEmpty, "a dead letter says why")
            }
        }
        for _ in 0..<12_000 {
            let bytes = Self.mutate(stateSeeds, &random)
            guard let record = try? StateRecord(serializedBytes: bytes) else { continue }
            var history = RoomHistory(capacity: 4)
            _ = history.apply(.with { $0.room = record.room; $0.tick = 1 }, schema: schema)
            if case .state(let table) = history.apply(record, schema: schema) {
                #expect(table.count <= SnapshotCodec.maximumEntityCount)
                counts.states += 1
            }
        }
        for _ in 0..<6_000 {
            let bytes = Self.mutate(checkpointSeeds, &random)
            guard let checkpoint = try? Checkpoint(serializedBytes: bytes) else { continue }
            do {
                let engine = try checkpoint.restore(rules: rules, idleTimeoutTicks: 300)
                #expect(engine.state.stateHash == checkpoint.stateHash)
                counts.checkpoints += 1
            } catch {
                #expect(!error.description.isEmpty, "a refused checkpoint says why")
            }
        }
        print("Kafka records: 12,000 input record cases (\(counts.inputs) commands), 12,000 state record cases (\(counts.states) states), 6,000 checkpoint cases (\(counts.checkpoints) restored)")
    }
}
