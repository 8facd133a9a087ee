import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import SwiftProtobuf
import TickstreamProtocol

/// Reads client messages and writes server batches in one connection's wire format.
struct MessageCodec: Sendable {
    /// Why a client message did not decode; the text reaches the client in a `MALFORMED_MESSAGE` error.
    struct Malformed: Error, Equatable {
        let reason: String
    }

    let format: WireFormat

    private static let jsonOptions: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        // Fields from a newer schema must not break an older gateway.
        options.ignoreUnknownFields = true
        return options
    }()

    func decode(_ message: WebSocketMessage) throws(Malformed) -> ClientMessage {
        do {
            switch (message, format.isJSON) {
            case (.binary(let buffer), false):
                return try ClientMessage(serializedBytes: buffer.readableBytesSpan)
            case (.text(let text), true):
                return try ClientMessage(jsonString: text, options: Self.jsonOptions)
            case (.text, false):
                throw Malformed(reason: "a text message on the binary subprotocol \(format)")
            case (.binary, true):
                throw Malformed(reason: "a binary message on the JSON subprotocol \(format)")
            }
        } catch let error as Malformed {
            throw error
        } catch {
            throw Malformed(reason: "not a ClientMessage: \(error)")
        }
    }

    /// The messages of one flush of the outbox, as one batch.
    func encode(_ messages: [ServerMessage]) throws -> WebSocketFrame {
        var batch = ServerBatch()
        batch.messages = messages
        return try encode(batch)
    }

    /// One frame, a text frame on the JSON subprotocol: a batch is far smaller than any frame size a client limits.
    ///
    /// The batch is serialized into the frame's buffer, with room in front for the frame's header.
    func encode(_ batch: ServerBatch) throws -> WebSocketFrame {
        if format.isJSON {
            let text: ProtobufBuffer = try batch.jsonUTF8Bytes()
            return WebSocketFrame(fin: true, opcode: .text, data: text.buffer)
        }
        let bytes: ProtobufBuffer = try batch.serializedBytes()
        return WebSocketFrame(fin: true, opcode: .binary, data: bytes.buffer)
    }
}
