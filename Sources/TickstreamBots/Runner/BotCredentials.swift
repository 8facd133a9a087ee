package import TickstreamAccess

/// How the bots get past a gateway that requires tokens.
///
/// A token names one player, and the gateway stamps that player on everything its bearer does: bots sharing a token
/// would all be one player, with one entity per room and one sequence of applied inputs, which neither loads the
/// gateway like as many players nor measures anyone's latency right. Minted tokens give each bot a player of its own.
package enum BotCredentials: Sendable {
    /// No token, for a gateway that lets anonymous players in.
    case none
    /// This token on every connection: for a run of one bot.
    case token(String)
    /// A token of its own for each player, signed with the gateway's secret: its player id and its room only.
    case minted(TokenAuthority)

    /// The player id of bot `index` in a run whose rooms are `<roomPrefix>-<n>`: its own in the run, and a new one for
    /// each `generation`, the player who takes its place after it leaves.
    package static func player(roomPrefix: String, bot index: Int, generation: Int = 0) -> String {
        let player = "\(roomPrefix)-p\(index)"
        return generation == 0 ? player : "\(player).\(generation)"
    }

    /// The token for `player` in `room`, valid until `expiresAt` (seconds since 1970); nil for ``none``.
    func token(player: String, room: String, expiresAt: Int64, now: Int64) -> String? {
        switch self {
        case .none:
            return nil
        case .token(let token):
            return token
        case .minted(let authority):
            let token = AccessToken(player: player, rooms: [RoomPattern(room)], role: .player, expiresAt: expiresAt, issuedAt: now)
            return authority.sign(token)
        }
    }
}
