import Hummingbird

/// What a WebSocket upgrade request asks for: whether its token is good and which subprotocol to speak.
struct Handshake {
    /// The client may connect.
    let isAuthorized: Bool
    /// The subprotocol: the first the client offers that the gateway speaks, the gateway's first if the client
    /// offers none; nil if the client offers only ones the gateway does not speak.
    let format: WireFormat?
    /// Whether the client named a subprotocol, which the response must then echo.
    private let offered: Bool

    init(request: Request, configuration: GatewayConfiguration) {
        self.isAuthorized = Self.authorize(request, configuration: configuration)
        var offers: [String] = []
        for value in request.headers[values: .secWebSocketProtocol] {
            for name in value.split(separator: ",") {
                offers.append(String(name.filter { $0 != " " && $0 != "\t" }))
            }
        }
        self.offered = !offers.isEmpty
        if offers.isEmpty {
            self.format = configuration.wireFormats[0]
        } else {
            self.format = offers.lazy.compactMap { name in configuration.wireFormats.first { $0.name == name } }.first
        }
    }

    /// The headers of the 101 response.
    var responseHeaders: HTTPFields {
        guard offered, let format else { return [:] }
        return [.secWebSocketProtocol: format.name]
    }

    private static func authorize(_ request: Request, configuration: GatewayConfiguration) -> Bool {
        if configuration.allowAnonymous { return true }
        guard let secret = configuration.sharedSecret else { return false }
        let token: Substring? =
            if let query = request.uri.queryParameters["token"] {
                query
            } else if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
                authorization.dropFirst("Bearer ".count)
            } else {
                nil
            }
        guard let token else { return false }
        return constantTimeEqual(Array(token.utf8), Array(secret.utf8))
    }

    /// Compares without returning early, so that the time taken does not reveal how much of a guess was right.
    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) {
            difference |= left ^ right
        }
        return difference == 0
    }
}
