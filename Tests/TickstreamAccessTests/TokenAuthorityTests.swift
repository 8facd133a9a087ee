import Foundation
import Testing
import TickstreamAccess

@Suite struct TokenAuthorityTests {
    let authority = try! TokenAuthority(secret: Array("0123456789abcdef0123456789abcdef".utf8))
    let now: Int64 = 1_800_000_000

    func token(rooms: [RoomPattern] = ["arena-*", "lobby"], role: AccessToken.Role = .player, expiresAt: Int64? = nil) -> AccessToken {
        AccessToken(player: "ann", rooms: rooms, role: role, expiresAt: expiresAt ?? now + 60, issuedAt: now)
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test func aSignedTokenVerifies() throws {
        let token = token(role: .spectator)
        #expect(try authority.verify(authority.sign(token), now: now) == token)
    }

    @Test func anExpiredTokenIsRefused() {
        let compact = authority.sign(token(expiresAt: now))
        #expect(throws: TokenError.expired(at: now)) { try authority.verify(compact, now: now) }
    }

    @Test func anotherSecretsTokenIsRefused() throws {
        let forger = try TokenAuthority(secret: Array("fedcba9876543210fedcba9876543210".utf8))
        #expect(throws: TokenError.badSignature) { try authority.verify(forger.sign(token()), now: now) }
    }

    @Test func alteredClaimsAreRefused() {
        let parts = authority.sign(token()).split(separator: ".")
        let claims = Self.base64URL(#"{"exp":1800000060,"role":"player","rooms":["*"],"sub":"ann"}"#)
        #expect(throws: TokenError.badSignature) { try authority.verify("\(parts[0]).\(claims).\(parts[2])", now: now) }
    }

    @Test func onlyHS256IsAccepted() {
        let parts = authority.sign(token()).split(separator: ".")
        for algorithm in ["none", "HS512", "RS256", "hs256"] {
            let header = Self.base64URL(#"{"alg":"\#(algorithm)","typ":"JWT"}"#)
            #expect(throws: TokenError.unsupportedAlgorithm(algorithm)) {
                try authority.verify("\(header).\(parts[1]).\(parts[2])", now: now)
            }
            #expect(throws: TokenError.unsupportedAlgorithm(algorithm)) { try authority.verify("\(header).\(parts[1]).", now: now) }
        }
    }

    @Test func malformedTokensAreRefused() {
        for compact in ["", "a", "a.b", "a.b.c.d", "!!.!!.!!", String(repeating: "a", count: 5000)] {
            #expect(throws: TokenError.malformed("")) { try authority.verify(compact, now: now) }
        }
    }

    @Test func claimsAreChecked() {
        for bad in [
            AccessToken(player: "", rooms: ["*"], expiresAt: now + 60, issuedAt: now),
            AccessToken(player: "ann bob", rooms: ["*"], expiresAt: now + 60, issuedAt: now),
            AccessToken(player: "ann", rooms: [], expiresAt: now + 60, issuedAt: now),
        ] {
            #expect(throws: TokenError.invalidClaims("")) { try authority.verify(authority.sign(bad), now: now) }
        }
    }

    @Test func aShortSecretIsRefused() {
        #expect(throws: TokenError.invalidClaims("")) { try TokenAuthority(secret: Array("short".utf8)) }
    }

    @Test func roomPatterns() {
        #expect(RoomPattern("arena-*").matches("arena-1"))
        #expect(RoomPattern("arena-*").matches("arena-"))
        #expect(!RoomPattern("arena-*").matches("lobby"))
        #expect(!RoomPattern("arena-*").matches("xarena-1"))
        #expect(RoomPattern("*-eu").matches("duel-eu"))
        #expect(RoomPattern("a*b*c").matches("aXXbYYc"))
        #expect(!RoomPattern("a*b*c").matches("aXXbYY"))
        #expect(RoomPattern.any.matches("anything"))
        #expect(RoomPattern("lobby").matches("lobby"))
        #expect(!RoomPattern("lobby").matches("lobby2"))
        #expect(!RoomPattern(String(repeating: "*a", count: 40) + "b").matches(String(repeating: "a", count: 64)))
    }
}
