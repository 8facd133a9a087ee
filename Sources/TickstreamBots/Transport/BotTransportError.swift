/// Why a bot could not connect.
struct BotTransportError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case invalidURL(String)
        case upgradeDeclined
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The gateway URL is not a `ws://` or `wss://` URL with a host.
    static func invalidURL(_ url: String) -> Self { .init(.invalidURL(url)) }
    /// The server answered the upgrade request with something other than a WebSocket.
    static var upgradeDeclined: Self { .init(.upgradeDeclined) }

    var description: String {
        switch code {
        case .invalidURL(let url): "not a ws:// or wss:// URL with a host: '\(url)'"
        case .upgradeDeclined: "the server declined the WebSocket upgrade"
        }
    }
}
