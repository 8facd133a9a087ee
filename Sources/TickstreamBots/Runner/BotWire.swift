import NIOCore
import NIOWebSocket
import SwiftProtobuf
import TickstreamProtocol

/// Client messages out and server batches in, in the subprotocol of the run, without `Data` or `String` in between.
struct BotWire: Sendable {
    let isJSON: Bool

    private static let jsonOptions: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()

    /// The opcode of the run's messages.
    var opcode: WebSocketOpcode { isJSON ? .text : .binary }

    /// `message` serialized, with room in front for the frame header.
    func payload(_ message: ClientMessage) throws -> ByteBuffer {
        let bytes: ProtobufBuffer = isJSON ? try message.jsonUTF8Bytes() : try message.serializedBytes()
        return bytes.buffer
    }

    /// The batch in a message received with `opcode`; nil if it did not decode or came in the other subprotocol.
    func batch(_ message: ByteBuffer, opcode: WebSocketOpcode) -> ServerBatch? {
        switch opcode {
        case .binary where !isJSON:
            try? ServerBatch(serializedBytes: message.readableBytesSpan)
        case .text where isJSON:
            try? ServerBatch(jsonUTF8Bytes: ProtobufBuffer(message), options: Self.jsonOptions)
        default:
            nil
        }
    }
}
