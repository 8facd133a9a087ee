import Foundation
import Hummingbird
import TickstreamAccess

/// What a WebSocket upgrade request asks for: whether it may connect, as whom, and which subprotocol to speak.
struct Handshake {
    /// Why the upgrade is refused, answered before it: 403 for a browser page of another origin, 401 for a
    /// missing or bad token.
    enum Refusal: Error, Equatable {
        case forbiddenOrigin(String)
        case unauthorized(TokenError)

        var status: HTTPResponse.Status {
            switch self {
            case .forbiddenOrigin: .forbidden
            case .unauthorized: .unauthorized
            }
        }
    }

    /// Why the client may not connect, if it may not.
    let refusal: Refusal?
    /// The verified token, nil for an anonymous connection (or a refused one).
    let token: AccessToken?
    /// The subprotocol: the first the client offers that the gateway speaks, the gateway's first if the client
    /// offers none; nil if the client offers only ones the gateway does not speak.
    let format: WireFormat?
    /// permessage-deflate, when the gateway compresses and the client offered it in terms the gateway accepts.
    let deflate: PerMessageDeflate?
    /// Whether the client named a subprotocol, which the response must then echo.
    private let offered: Bool

    /// Out of line, so that the header parsing and token check keep their temporaries on the thread's stack rather
    /// than in the async frame of the upgrade handler that calls it, which each connection holds while it is open.
    @inline(never)
    init(request: Request, configuration: GatewayConfiguration) {
        var token: AccessToken?
        do {
            try Self.checkOrigin(request, configuration: configuration)
            token = try Self.authenticate(request, configuration: configuration)
            self.refusal = nil
        } catch {
            self.refusal = error
        }
        self.token = token
        self.deflate = configuration.compression ? PerMessageDeflate.negotiate(request.headers) : nil
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

    /// Who the connection is: the token's player, or a fresh anonymous one.
    func identity() -> SessionIdentity {
        token.map(SessionIdentity.init(token:)) ?? .anonymous()
    }

    /// The headers of the 101 response.
    var responseHeaders: HTTPFields {
        var headers: HTTPFields = [:]
        if offered, let format {
            headers[.secWebSocketProtocol] = format.name
        }
        if let deflate {
            headers[.secWebSocketExtensions] = deflate.responseHeader
        }
        return headers
    }

    /// Browsers send `Origin`; a page of an origin not on the list must not open connections with the user's
    /// token. Clients that are not browsers send none and pass.
    private static func checkOrigin(_ request: Request, configuration: GatewayConfiguration) throws(Refusal) {
        guard !configuration.allowedOrigins.isEmpty, let origin = request.headers[.origin] else { return }
        guard configuration.allowedOrigins.contains(origin) else { throw .forbiddenOrigin(origin) }
    }

    /// The token of `?token=` or `Authorization: Bearer`, verified; nil when anonymous connections are allowed and
    /// there is none.
    private static func authenticate(_ request: Request, configuration: GatewayConfiguration) throws(Refusal) -> AccessToken? {
        let presented: Substring? =
            if let query = request.uri.queryParameters["token"] {
                query
            } else if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
                authorization.dropFirst("Bearer ".count)
            } else {
                nil
            }
        guard let presented else {
            if configuration.allowAnonymous { return nil }
            throw .unauthorized(.missing)
        }
        guard let tokens = configuration.tokens else {
            // A gateway without a secret cannot tell a good token from a forged one.
            if configuration.allowAnonymous { return nil }
            throw .unauthorized(.badSignature)
        }
        do {
            return try tokens.verify(presented, now: Int64(Date().timeIntervalSince1970))
        } catch {
            throw .unauthorized(error)
        }
    }
}
