import Hummingbird

/// The answer of `GET /v1/rooms`.
struct RoomListing: ResponseEncodable, Sendable, Equatable {
    /// A live room, as of its latest checkpoint.
    struct Room: Codable, Sendable, Equatable {
        var room: String
        /// The room's tick at its latest checkpoint (a few seconds behind the live tick).
        var tick: UInt64
        /// Players in the room at that tick.
        var players: Int
        /// When the checkpoint was taken, in milliseconds since 1970.
        var updated: Int64
    }

    /// Most players first, then by name; at most ``RoomListConfiguration/maxRooms``.
    var rooms: [Room]
    /// Whether more live rooms exist than are listed.
    var truncated: Bool
}
