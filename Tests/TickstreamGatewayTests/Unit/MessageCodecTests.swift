import Foundation
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import SwiftProtobuf
import Testing
import TickstreamProtocol
@testable import TickstreamGateway

@Suite struct MessageCodecTests {
    let message = ClientMessage.with { $0.input = .with { $0.sequence = 3; $0.payload = Data([1, 255]) } }

    @Test func binaryRoundTrip() throws {
        let codec = MessageCodec(format: .protobuf)
        let bytes: [UInt8] = try message.serializedBytes()
        #expect(try codec.decode(.binary(ByteBuffer(bytes: bytes))) == message)
        let batch = ServerBatch.with { $0.messages = [.error(.throttled, "slow down", sequence: 3)] }
        let frame = try codec.encode(batch)
        #expect(frame.opcode == .binary && frame.fin)
        #expect(frame.data.readerIndex == ProtobufBuffer.headroom, "room for the frame header in the same buffer")
        #expect(try ServerBatch(serializedBytes: Array(frame.data.readableBytesView)) == batch)
    }

    @Test func jsonRoundTripUsesTheProtobufJSONMapping() throws {
        let codec = MessageCodec(format: .json)
        let decoded = try codec.decode(.text(#"{"input":{"sequence":"3","payload":"Af8="},"future":1}"#))
        #expect(decoded == message)
        let frame = try codec.encode(.with { $0.messages = [.error(.throttled, "slow")] })
        #expect(frame.opcode == .text && frame.fin)
        #expect(String(buffer: frame.data).contains(#""code":"ERROR_CODE_THROTTLED""#))
    }

    @Test(arguments: [WireFormat.protobuf, .json], [0, 7, UInt64.max])
    func aSharedSnapshotEncodesAsTheClientsOwnMessage(format: WireFormat, lastApplied: UInt64) throws {
        var snapshot = ServerMessage.Snapshot()
        snapshot.tick = 9
        snapshot.baselineTick = 8
        snapshot.entities = [.with { $0.id = 1; $0.kind = "player"; $0.fields = ["x": -3, "y": 4] }]
        snapshot.removed = [2, 5]
        snapshot.entityHash = 1 << 63
        let shared = try SharedSnapshot(snapshot, format: format)
        let codec = MessageCodec(format: format)
        for others in [[], [ServerMessage.error(.throttled, "slow"), .pong(nonce: 3, serverTimeMs: 4)]] {
            let clientSnapshot = ClientSnapshot(shared: shared, lastAppliedSequence: lastApplied)
            let frame = try codec.encode(others, snapshot: clientSnapshot)
            #expect(frame.data.readerIndex == ProtobufBuffer.headroom)
            let batch = format.isJSON
                ? try ServerBatch(jsonString: String(buffer: frame.data))
                : try ServerBatch(serializedBytes: Array(frame.data.readableBytesView))
            #expect(batch.messages == others + [clientSnapshot.message])
            #expect(batch.messages.last?.snapshot.lastAppliedSequence == lastApplied)
        }
    }

    @Test func aSnapshotWithNothingButItsLastAppliedInputIsValidJSON() throws {
        let shared = try SharedSnapshot(ServerMessage.Snapshot(), format: .json)
        let frame = try MessageCodec(format: .json).encode([], snapshot: ClientSnapshot(shared: shared, lastAppliedSequence: 12))
        #expect(String(buffer: frame.data) == #"{"messages":[{"snapshot":{"lastAppliedSequence":"12"}}]}"#)
    }

    @Test func garbageAndTheWrongFrameTypeAreMalformed() {
        #expect(throws: MessageCodec.Malformed.self) { try MessageCodec(format: .protobuf).decode(.binary(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF]))) }
        #expect(throws: MessageCodec.Malformed.self) { try MessageCodec(format: .protobuf).decode(.text("{}")) }
        #expect(throws: MessageCodec.Malformed.self) { try MessageCodec(format: .json).decode(.text("{not json")) }
        #expect(throws: MessageCodec.Malformed.self) { try MessageCodec(format: .json).decode(.binary(ByteBuffer(bytes: [8, 1]))) }
    }
}
