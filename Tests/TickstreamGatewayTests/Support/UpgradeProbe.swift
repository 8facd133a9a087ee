import NIOCore
import NIOPosix

/// Sends one WebSocket upgrade request over plain TCP and returns the response's status code: what a client is
/// told before (or instead of) the upgrade.
enum UpgradeProbe {
    /// - Parameter upgrade: ask for a WebSocket upgrade (a refused upgrade is answered 400 by hummingbird-websocket),
    ///   or send a plain GET, which the gateway answers with the refusal's own status (401, 403).
    static func status(port: Int, path: String = "/v1/ws", headers: [(String, String)] = [], upgrade: Bool = true) async throws -> Int {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let request = request(port: port, path: path, headers: headers, upgrade: upgrade)
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var response = ""
            for try await buffer in inbound {
                response += String(buffer: buffer)
                if let line = response.split(separator: "\r\n", maxSplits: 1).first, response.contains("\r\n") {
                    // "HTTP/1.1 401 Unauthorized"
                    let fields = line.split(separator: " ")
                    guard fields.count >= 2, let status = Int(fields[1]) else { throw BadResponse(text: response) }
                    return status
                }
            }
            throw BadResponse(text: response)
        }
    }

    /// The HTTP request: a GET of `path`, with the headers of a WebSocket upgrade if `upgrade`, then `headers`.
    static func request(port: Int, path: String = "/v1/ws", headers: [(String, String)] = [], upgrade: Bool = true) -> String {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if upgrade {
            request += "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        }
        for (name, value) in headers {
            request += "\(name): \(value)\r\n"
        }
        return request + "\r\n"
    }

    struct BadResponse: Error {
        let text: String
    }
}
