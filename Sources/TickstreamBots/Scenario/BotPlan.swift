/// What one bot does over a run: where it plays, how it behaves, and when it is interrupted.
package struct BotPlan: Sendable, Hashable {
    package enum Role: Sendable, Hashable {
        /// Sends inputs at the configured rate.
        case player
        /// Joins and reads, never sends inputs.
        case spectator
        /// Plays, but reads its socket slowly.
        case slowReader
        /// Misbehaves on purpose, and checks how the server answers.
        case abusive(AbuseKind)
    }

    /// A planned end of a connection.
    package struct Interruption: Sendable, Hashable {
        package enum Kind: Sendable, Hashable {
            /// The connection drops; the bot reconnects and resumes from its last acknowledged tick.
            case drop
            /// The player leaves; a new player takes its place.
            case leave
        }

        /// From the start of the run.
        package var at: Duration
        package var kind: Kind
        /// How long the bot stays away.
        package var pause: Duration

        package init(at: Duration, kind: Kind, pause: Duration) {
            self.at = at
            self.kind = kind
            self.pause = pause
        }
    }

    package var index: Int
    package var room: String
    package var role: Role
    /// When it first connects, from the start of the run.
    package var connectAt: Duration
    /// In time order.
    package var interruptions: [Interruption] = []

    package init(index: Int, room: String, role: Role, connectAt: Duration, interruptions: [Interruption] = []) {
        self.index = index
        self.room = room
        self.role = role
        self.connectAt = connectAt
        self.interruptions = interruptions
    }

    package var sendsInputs: Bool {
        role != .spectator
    }
}
