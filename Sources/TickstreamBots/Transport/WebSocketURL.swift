import Foundation

/// Where the gateway's WebSocket endpoint is: `ws://host:port/path` or `wss://…`.
struct WebSocketURL: Sendable, Equatable {
    var host: String
    var port: Int
    /// The request target: the path and the query, if any.
    var target: String
    var usesTLS: Bool

    /// - Throws: ``BotTransportError/invalidURL`` unless `string` is a `ws` or `wss` URL with a host.
    init(_ string: String) throws(BotTransportError) {
        guard let components = URLComponents(string: string), let host = components.host, !host.isEmpty else {
            throw .invalidURL(string)
        }
        switch components.scheme?.lowercased() {
        case "ws": usesTLS = false
        case "wss": usesTLS = true
        default: throw .invalidURL(string)
        }
        self.host = host
        port = components.port ?? (usesTLS ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
    }

    /// The `Host` header: the port is left out when it is the scheme's default.
    var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return port == (usesTLS ? 443 : 80) ? host : "\(host):\(port)"
    }
}
