import TickstreamAccess
import TickstreamRules

/// Who a connection is and what it may do: from its token, or anonymous (a fresh id, every room, a player).
struct SessionIdentity: Sendable, Hashable {
    let player: PlayerID
    let rooms: [RoomPattern]
    let role: AccessToken.Role

    init(player: PlayerID, rooms: [RoomPattern] = [.any], role: AccessToken.Role = .player) {
        self.player = player
        self.rooms = rooms
        self.role = role
    }

    init(token: AccessToken) {
        self.init(player: token.player, rooms: token.rooms, role: token.role)
    }

    /// A connection without a token: a fresh id of 64 random bits, unique across gateways for all practical purposes.
    static func anonymous() -> Self {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return .init(player: "p-" + String(repeating: "0", count: 16 - hex.count) + hex)
    }

    func allows(_ room: String) -> Bool {
        rooms.contains { $0.matches(room) }
    }
}
