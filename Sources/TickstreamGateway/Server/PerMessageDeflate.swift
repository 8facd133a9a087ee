import CompressNIO
import Foundation
import Hummingbird
import NIOCore
import NIOWebSocket

/// permessage-deflate (RFC 7692), negotiated by the gateway and applied on each connection's event loop by its
/// ``MessageReader`` and ``OutboxWriter``.
///
/// swift-websocket applies the extension only in its async reader and writer; browsers always offer it, so with
/// swift-websocket's extension every browser client would miss the event-loop read and write paths.
struct PerMessageDeflate: Equatable {
    /// The client sends every message with a fresh compression context, so each inflates on its own.
    var clientNoContextTakeover = false
    /// The gateway compresses every message with a fresh context (the client asked for it).
    var serverNoContextTakeover = false
    /// The largest window the gateway may compress with (the client asked for a smaller one, or 15).
    var serverMaxWindowBits = 15

    /// What the gateway answers an offer with, in `Sec-WebSocket-Extensions`.
    var responseHeader: String {
        var header = "permessage-deflate"
        if clientNoContextTakeover {
            header += "; client_no_context_takeover"
        }
        if serverNoContextTakeover {
            header += "; server_no_context_takeover"
        }
        if serverMaxWindowBits != 15 {
            header += "; server_max_window_bits=\(serverMaxWindowBits)"
        }
        return header
    }

    /// The first offer of `headers` that the gateway accepts; nil if there is none.
    ///
    /// The gateway inflates with the largest window, which reads a client's stream whatever window it chose, so
    /// `client_max_window_bits` needs no answer. It declines a `server_max_window_bits` of 8, which zlib widens to 9.
    static func negotiate(_ headers: HTTPFields) -> PerMessageDeflate? {
        // Offers are separated by commas, within a header and across headers (RFC 6455 9.1).
        for value in headers[values: .secWebSocketExtensions] {
            for offer in value.split(separator: ",") {
                if let accepted = accept(offer) {
                    return accepted
                }
            }
        }
        return nil
    }

    /// The terms of `offer` (`permessage-deflate; name[=value]; ...`), nil unless it is permessage-deflate with
    /// parameters the gateway can honour.
    private static func accept(_ offer: Substring) -> PerMessageDeflate? {
        let parts = offer.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first == "permessage-deflate" else { return nil }
        var deflate = PerMessageDeflate()
        var names: Set<String> = []
        for parameter in parts.dropFirst() {
            let nameAndValue = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = nameAndValue[0].trimmingCharacters(in: .whitespaces)
            // A parameter named twice declines the offer (RFC 7692 5).
            guard names.insert(name).inserted else { return nil }
            let bits = nameAndValue.count == 2 ? Int(nameAndValue[1].trimmingCharacters(in: .whitespaces.union(["\""]))) : nil
            switch (name, nameAndValue.count) {
            case ("client_no_context_takeover", 1):
                deflate.clientNoContextTakeover = true
            case ("server_no_context_takeover", 1):
                deflate.serverNoContextTakeover = true
            case ("server_max_window_bits", 2):
                guard let bits, (9...15).contains(bits) else { return nil }
                deflate.serverMaxWindowBits = bits
            case ("client_max_window_bits", 1):
                break
            case ("client_max_window_bits", 2):
                guard let bits, (8...15).contains(bits) else { return nil }
            default:
                // An unknown parameter, or a known one with a wrong value: RFC 7692 declines the offer.
                return nil
            }
        }
        return deflate
    }
}

/// Compresses one connection's outgoing messages. Used on the connection's event loop only.
final class MessageDeflater {
    /// Below this a message is sent as it is: deflate's block headers would eat what it saves.
    static let minimumSize = 256

    private let compressor: ZlibCompressor
    private let resetsAfterEachMessage: Bool

    /// zlib's fastest level. JSON clients at 100 players (`tickstream bots --json-protocol --deflate`, a fresh `serve
    /// --brokers` per run, 18 s): 52.3–52.8 KB/s per client and 6.5–7.6 s of server CPU uncompressed, 6.7–6.8 KB/s and
    /// 11.2–13.5 s at zlib's default level 6, 9.2 KB/s and 8.4–9.0 s at 1.
    static let compressionLevel: Int32 = 1

    init(_ deflate: PerMessageDeflate) throws {
        compressor = try ZlibCompressor(
            algorithm: .deflate,
            configuration: ZlibConfiguration(windowSize: Int32(deflate.serverMaxWindowBits), compressionLevel: Self.compressionLevel)
        )
        resetsAfterEachMessage = deflate.serverNoContextTakeover
    }

    /// `frame` compressed, with its rsv1 bit set; a frame below ``minimumSize`` as it is.
    func deflate(_ frame: WebSocketFrame) throws -> WebSocketFrame {
        guard frame.data.readableBytes >= Self.minimumSize else { return frame }
        var data = frame.data
        var compressed = try data.compressStream(with: compressor, flush: .sync)
        // A sync flush ends with an empty stored block, which the receiver adds back (RFC 7692 7.2.1).
        compressed.moveWriterIndex(to: compressed.writerIndex - 4)
        if resetsAfterEachMessage {
            try compressor.reset()
        }
        return WebSocketFrame(fin: true, rsv1: true, opcode: frame.opcode, data: compressed)
    }
}
