import Foundation
import Hummingbird
import NIOCore
import NIOWebSocket
import TickstreamProtocol

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
    /// The largest window the client may compress with: 15 unless the client let the gateway choose
    /// (`client_max_window_bits`), in which case ``preferredClientWindowBits`` or the client's smaller hint.
    var clientMaxWindowBits = 15

    /// The window the gateway compresses with when the client allows a larger one: 4 KiB. With JSON clients (arena-100,
    /// `tools/bench --browser-like`, server RSS added per client and bytes per client-second, two runs each):
    /// 15 bits and zlib's default memory 289 KB, 9.35–9.40 KB/s; 13 bits 144 KB, 9.36–9.40; 12 bits 118 KB, 9.36–9.40;
    /// 11 bits 104 KB, 10.7–10.8. (The memory level was lowered with the window: 8, 6, 5, 4.)
    static let preferredServerWindowBits = 12
    /// The window the gateway asks a client to compress with, when the client lets it choose: a client's inputs are
    /// small and alike, and the inflater's window is 32 KiB of every connection at 15 bits, 1 KiB at 10.
    static let preferredClientWindowBits = 10

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
        if clientMaxWindowBits != 15 {
            header += "; client_max_window_bits=\(clientMaxWindowBits)"
        }
        return header
    }

    /// The compressor of the gateway's messages on the connection.
    func makeDeflater() throws -> MessageDeflater {
        try MessageDeflater(
            windowBits: min(serverMaxWindowBits, Self.preferredServerWindowBits),
            resetsAfterEachMessage: serverNoContextTakeover
        )
    }

    /// The inflater of the client's messages on the connection.
    func makeInflater(maxSize: Int) throws -> MessageInflater {
        // A client allowed 8 bits may use 9: zlib, which most clients use, widens 8 to 9.
        try MessageInflater(maxSize: maxSize, windowBits: max(9, clientMaxWindowBits), resetsAfterEachMessage: clientNoContextTakeover)
    }

    /// The first offer of `headers` that the gateway accepts; nil if there is none.
    ///
    /// A client that offers `client_max_window_bits` is asked to compress with ``preferredClientWindowBits`` (or its
    /// smaller hint); one that does not may use any window, which the gateway inflates. It declines a
    /// `server_max_window_bits` of 8, which zlib widens to 9.
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
                deflate.clientMaxWindowBits = Self.preferredClientWindowBits
            case ("client_max_window_bits", 2):
                guard let bits, (8...15).contains(bits) else { return nil }
                deflate.clientMaxWindowBits = min(bits, Self.preferredClientWindowBits)
            default:
                // An unknown parameter, or a known one with a wrong value: RFC 7692 declines the offer.
                return nil
            }
        }
        return deflate
    }
}

extension WebSocketFrame {
    /// Below this a message goes as it is (the extension allows it): deflate's block headers would eat what it saves.
    static let minimumDeflatedSize = 256

    /// The frame compressed by `deflater`, with RSV1 set; one below ``minimumDeflatedSize`` as it is.
    func deflated(by deflater: MessageDeflater) throws -> WebSocketFrame {
        guard data.readableBytes >= Self.minimumDeflatedSize else { return self }
        return WebSocketFrame(fin: true, rsv1: true, opcode: opcode, data: try deflater.deflate(data))
    }
}
