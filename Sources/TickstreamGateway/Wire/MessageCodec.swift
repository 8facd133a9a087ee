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

    /// The messages of one flush of the outbox, and its snapshot last, as one batch.
    func encode(_ messages: [ServerMessage], snapshot: ClientSnapshot? = nil) throws -> WebSocketFrame {
        if let snapshot, let members = snapshot.shared.jsonMembers {
            return try encodeJSON(messages, snapshot: snapshot, members: members)
        }
        var batch = ServerBatch()
        batch.messages = messages
        if let snapshot {
            batch.messages.append(snapshot.message)
        }
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

    /// The batch's JSON as SwiftProtobuf writes it, `{"messages":[…]}`, but with the snapshot spliced from the text
    /// its clients share: `{"snapshot":{<shared members>,"lastAppliedSequence":"<this client's>"}}`.
    private func encodeJSON(_ messages: [ServerMessage], snapshot: ClientSnapshot, members: ByteBuffer) throws -> WebSocketFrame {
        var text = ProtobufBuffer(capacity: members.readableBytes + 64)
        text.buffer.writeStaticString(#"{"messages":["#)
        for message in messages {
            let json: [UInt8] = try message.jsonUTF8Bytes()
            text.buffer.writeBytes(json)
            text.buffer.writeStaticString(",")
        }
        text.buffer.writeStaticString(#"{"snapshot":{"#)
        text.buffer.writeImmutableBuffer(members)
        if snapshot.lastAppliedSequence != 0 {
            if members.readableBytes > 0 {
                text.buffer.writeStaticString(",")
            }
            // The JSON mapping writes 64-bit integers as strings, and leaves out zeros.
            text.buffer.writeStaticString(#""lastAppliedSequence":""#)
            text.buffer.writeString(String(snapshot.lastAppliedSequence))
            text.buffer.writeStaticString(#"""#)
        }
        text.buffer.writeStaticString("}}]}")
        return WebSocketFrame(fin: true, opcode: .text, data: text.buffer)
    }
}
