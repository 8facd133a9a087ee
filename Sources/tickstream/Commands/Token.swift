import ArgumentParser
import Foundation
import TickstreamAccess

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mint an access token for development: a JWT (HS256) naming a player, its rooms and its role.",
        discussion: "Connect with it as ws://…/v1/ws?token=<token> or the header Authorization: Bearer <token>."
    )

    @OptionGroup var secret: TokenSecretOptions

    @Option(help: "The player id (the token's sub): 1 to 64 characters of A-Z, a-z, 0-9, _ . : @ -.")
    var player: String

    @Option(help: "Rooms the player may join, comma-separated; * stands for any run of characters (arena-*, *).")
    var rooms: String = "*"

    @Option(help: "player, or spectator (every join is a spectate).")
    var role: String = "player"

    @Option(help: "Seconds until the token expires.")
    var ttl: Int = 3600

    func run() async throws {
        guard let authority = try secret.authority() else {
            throw ValidationError("Give --token-secret, --token-secret-file or TICKSTREAM_TOKEN_SECRET.")
        }
        guard let role = AccessToken.Role(rawValue: role) else { throw ValidationError("--role is player or spectator") }
        guard ttl > 0 else { throw ValidationError("--ttl must be positive") }
        let patterns = rooms.split(separator: ",").map { RoomPattern(String($0)) }
        guard !patterns.isEmpty else { throw ValidationError("--rooms names at least one room or pattern") }
        let now = Int64(Date().timeIntervalSince1970)
        let token = AccessToken(player: player, rooms: patterns, role: role, expiresAt: now + Int64(ttl), issuedAt: now)
        // Verifying what was just signed checks the claims (e.g. the player id's characters) the gateway will check.
        do {
            _ = try authority.verify(authority.sign(token), now: now)
        } catch {
            throw ValidationError(error.detail)
        }
        print(authority.sign(token))
    }
}
