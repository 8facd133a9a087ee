import NIOCore
import NIOWebSocket
import SwiftProtobuf
import Testing
import TickstreamProtocol

@testable import TickstreamBots

@Suite struct BotWireTests {
    func input(_ sequence: UInt64) -> ClientMessage {
        var message = ClientMessage()
        message.message = .input(.with { $0.sequence = sequence })
        return message
    }

    func batch() -> ServerBatch {
        var batch = ServerBatch()
        var welcome = ServerMessage()
        welcome.message = .welcome(.init())
        batch.messages = [welcome]
        return batch
    }

    @Test(arguments: [false, true]) func payloadsLeaveRoomForTheFrameHeader(isJSON: Bool) throws {
        let wire = BotWire(isJSON: isJSON)
        let payload = try wire.payload(input(7))
        #expect(payload.readerIndex == ProtobufBuffer.headroom)
        let decoded = isJSON
            ? try ClientMessage(jsonUTF8Bytes: ProtobufBuffer(payload))
            : try ClientMessage(serializedBytes: ProtobufBuffer(payload))
        #expect(decoded == input(7))
        #expect(wire.opcode == (isJSON ? .text : .binary))
    }

    @Test func batchesDecodeInTheRunsSubprotocolOnly() throws {
        let binary = ByteBuffer(bytes: try batch().serializedBytes() as [UInt8])
        let json = ByteBuffer(string: try batch().jsonString())
        #expect(BotWire(isJSON: false).batch(binary, opcode: .binary) == batch())
        #expect(BotWire(isJSON: true).batch(json, opcode: .text) == batch())
        #expect(BotWire(isJSON: false).batch(json, opcode: .text) == nil)
        #expect(BotWire(isJSON: true).batch(binary, opcode: .binary) == nil)
        #expect(BotWire(isJSON: false).batch(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0x7F]), opcode: .binary) == nil)
    }

    @Test func urlsNameHostPortAndTarget() throws {
        let url = try WebSocketURL("ws://127.0.0.1:8080/v1/ws?x=1")
        #expect(url.host == "127.0.0.1" && url.port == 8080 && url.target == "/v1/ws?x=1" && !url.usesTLS)
        #expect(url.hostHeader == "127.0.0.1:8080")
        let secure = try WebSocketURL("wss://play.example.com")
        #expect(secure.port == 443 && secure.target == "/" && secure.usesTLS && secure.hostHeader == "play.example.com")
        #expect(throws: BotTransportError.self) { try WebSocketURL("http://example.com/") }
        #expect(throws: BotTransportError.self) { try WebSocketURL("ws:///nohost") }
    }
}
