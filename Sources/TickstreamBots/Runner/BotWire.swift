import NIOCore
import SwiftProtobuf
import TickstreamProtocol
import WSClient

/// Client messages out and server batches in, in the subprotocol of the run.
struct BotWire: Sendable {
    let isJSON: Bool

    private static let jsonOptions: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()

    func frame(_ message: ClientMessage) throws -> WebSocketOutboundWriter.OutboundFrame {
        if isJSON {
            return .text(try message.jsonString())
        }
        let bytes: [UInt8] = try message.serializedBytes()
        return .binary(ByteBuffer(bytes: bytes))
    }

    /// The batch in `message` and its size on the wire; a nil batch if it did not decode.
    func batch(_ message: WebSocketMessage) -> (batch: ServerBatch?, size: Int) {
        switch message {
        case .binary(let buffer):
            let batch = try? ServerBatch(serializedBytes: [UInt8](buffer.readableBytesView))
            return (isJSON ? nil : batch, buffer.readableBytes)
        case .text(let text):
            let batch = try? ServerBatch(jsonString: text, options: Self.jsonOptions)
            return (isJSON ? batch : nil, text.utf8.count)
        }
    }
}
