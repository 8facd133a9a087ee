import Foundation
import HummingbirdWebSocket
import NIOCore
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
        guard case .binary(let buffer) = try codec.encode(batch) else {
            Issue.record("binary subprotocol wrote text")
            return
        }
        #expect(try ServerBatch(serializedBytes: Array(buffer.readableBytesView)) == batch)
    }

    @Test func jsonRoundTripUsesTheProtobufJSONMapping() throws {
        let codec = MessageCodec(format: .json)
        let decoded = try codec.decode(.text(#"{"input":{"sequence":"3","payload":"Af8="},"future":1}"#))
        #expect(decoded == message)
        guard case .text(let text) = try codec.encode(.with { $0.messages = [.error(.throttled, "slow")] }) else {
            Issue.record("JSON subprotocol wrote binary")
            return
        }
        #expect(text.contains(#""code":"ERROR_CODE_THROTTLED""#))
    }

    @Test func garbageAndTheWrongFrameTypeAreMalformed() {
        #expect(throws: MessageCodec.Malformed.self) { try MessageCodec(format: .protobuf).decode(.binary(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF]))) }
        #expect(throws: MessageCodec.Malformed.self) { try MessageCodec(format: .protobuf).decode(.text("{}")) }
        #expect(throws: MessageCodec.Malformed.self) { try MessageCodec(format: .json).decode(.text("{not json")) }
        #expect(throws: MessageCodec.Malformed.self) { try MessageCodec(format: .json).decode(.binary(ByteBuffer(bytes: [8, 1]))) }
    }
}
