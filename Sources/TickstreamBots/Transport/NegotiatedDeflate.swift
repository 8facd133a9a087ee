import Foundation
import NIOHTTP1
import TickstreamProtocol

/// The compression of a connection whose server agreed to permessage-deflate (RFC 7692), which the bots offer only
/// with `--deflate`: they inflate the server's messages and compress all of their own, as browsers do.
struct NegotiatedDeflate {
    /// Inflates the server's messages.
    let inflater: MessageInflater
    /// Compresses the bot's messages.
    let deflater: MessageDeflater
}

extension NegotiatedDeflate {
    /// The terms in the upgrade's answer; nil if it did not agree to the extension.
    init?(agreedIn response: HTTPResponseHead, maxMessageSize: Int) throws {
        guard let agreed = response.headers["Sec-WebSocket-Extensions"].first(where: { $0.hasPrefix("permessage-deflate") })
        else { return nil }
        var (serverResets, clientResets) = (false, false)
        // The bots offer `client_max_window_bits` without a value, so the server may choose their window.
        var clientWindowBits = 15
        for parameter in agreed.split(separator: ";").dropFirst() {
            let nameAndValue = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            switch nameAndValue.first {
            case "server_no_context_takeover": serverResets = true
            case "client_no_context_takeover": clientResets = true
            case "client_max_window_bits": clientWindowBits = nameAndValue.count == 2 ? Int(nameAndValue[1]) ?? 15 : 15
            default: break
            }
        }
        inflater = try MessageInflater(maxSize: maxMessageSize, resetsAfterEachMessage: serverResets)
        // zlib compresses with 9 bits at least.
        deflater = try MessageDeflater(windowBits: min(15, max(9, clientWindowBits)), resetsAfterEachMessage: clientResets)
    }
}
