import Crypto
import Foundation

/// Mints and verifies access tokens: JSON Web Tokens signed with HMAC-SHA256 (HS256) under one shared secret.
///
/// Only HS256 is accepted, whatever the token's header says (no `none`, no algorithm confusion); the signature is
/// compared in constant time; `exp` is required.
public struct TokenAuthority: Sendable {
    /// The longest token looked at; anything longer is refused before it is decoded.
    public static let maxTokenLength = 4096
    /// The most room patterns one token may carry.
    public static let maxRooms = 64

    private let key: SymmetricKey

    /// - Parameter secret: The shared secret; at least 32 bytes, the size of the HMAC-SHA256 output.
    /// - Throws: ``TokenError/invalidClaims(_:)`` for a shorter secret.
    public init(secret: some Sequence<UInt8>) throws(TokenError) {
        let bytes = Array(secret)
        guard bytes.count >= 32 else { throw .invalidClaims("a token secret has at least 32 bytes, this one \(bytes.count)") }
        self.key = SymmetricKey(data: bytes)
    }

    /// The compact form (`header.claims.signature`) of `token`, signed.
    public func sign(_ token: AccessToken) -> String {
        let claims = Claims(
            sub: token.player,
            rooms: token.rooms.map(\.description),
            role: token.role,
            exp: token.expiresAt,
            iat: token.issuedAt
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding plain strings and integers cannot fail.
        let header = Self.base64URL(try! encoder.encode(Header(alg: "HS256", typ: "JWT")))
        let body = Self.base64URL(try! encoder.encode(claims))
        let signingInput = header + "." + body
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + Self.base64URL(Data(signature))
    }

    /// The token `compact` carries, if it is signed with this secret and has not expired at `now`.
    ///
    /// - Parameter now: Seconds since 1970.
    /// - Throws: ``TokenError`` saying why the token is refused.
    public func verify(_ compact: some StringProtocol, now: Int64) throws(TokenError) -> AccessToken {
        guard compact.utf8.count <= Self.maxTokenLength else { throw .malformed("longer than \(Self.maxTokenLength) bytes") }
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("not three dot-separated parts") }
        guard let headerJSON = Self.decodeBase64URL(parts[0]), let claimsJSON = Self.decodeBase64URL(parts[1]),
            let signature = Self.decodeBase64URL(parts[2])
        else { throw .malformed("not base64url") }
        let decoder = JSONDecoder()
        guard let header = try? decoder.decode(Header.self, from: headerJSON) else { throw .malformed("the header is not JSON") }
        guard header.alg == "HS256" else { throw .unsupportedAlgorithm(header.alg) }
        let signingInput = Array(compact.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            throw .badSignature
        }
        let claims: Claims
        do {
            claims = try decoder.decode(Claims.self, from: claimsJSON)
        } catch {
            throw .invalidClaims("claims sub, rooms, role and exp are required: \(error)")
        }
        guard claims.exp > now else { throw .expired(at: claims.exp) }
        guard NameRule.player.isValid(claims.sub) else { throw .invalidClaims("sub is not 1 to 64 characters of [A-Za-z0-9_.:@-]") }
        guard (1...Self.maxRooms).contains(claims.rooms.count), claims.rooms.allSatisfy({ (1...128).contains($0.utf8.count) })
        else { throw .invalidClaims("rooms holds 1 to \(Self.maxRooms) patterns of 1 to 128 bytes") }
        return AccessToken(
            player: claims.sub,
            rooms: claims.rooms.map { RoomPattern($0) },
            role: claims.role,
            expiresAt: claims.exp,
            issuedAt: claims.iat ?? 0
        )
    }

    private struct Header: Codable {
        var alg: String
        var typ: String?
    }

    private struct Claims: Codable {
        var sub: String
        var rooms: [String]
        var role: AccessToken.Role
        var exp: Int64
        var iat: Int64?
    }

    private static func base64URL(_ data: Data) -> String {
        var text = data.base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") {
            text.removeLast()
        }
        return text
    }

    private static func decodeBase64URL(_ text: some StringProtocol) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !standard.contains("=") else { return nil }
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard)
    }
}
