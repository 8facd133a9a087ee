import Synchronization

/// A bot's session, shared by the connection's reader and its input sender.
final class SessionBox: Sendable {
    private let session: Mutex<BotSession>

    init(_ session: BotSession) {
        self.session = Mutex(session)
    }

    func withLock<Result>(_ body: (inout BotSession) -> Result) -> Result {
        session.withLock { body(&$0) }
    }
}
