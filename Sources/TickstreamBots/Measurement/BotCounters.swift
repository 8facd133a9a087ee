/// What bots counted: totals over the run, and the traffic inside the measurement window.
package struct BotCounters: Sendable, Equatable {
    package var connects = 0
    package var connectFailures = 0
    package var welcomes = 0
    package var inputsSent = 0
    package var acksSent = 0
    /// WebSocket messages and their payload bytes received from the server, over the whole run.
    package var framesReceived = 0
    package var bytesReceived = 0
    /// The same inside the measurement window, and the snapshots among the messages.
    package var windowFrames = 0
    package var windowBytes = 0
    package var windowSnapshots = 0
    /// Time players spent welcomed and connected inside the window, summed over players: what per-client figures
    /// divide by, so that players that never got in (an overloaded server) do not dilute them.
    package var windowPlayingMicroseconds = 0
    package var snapshots = 0
    package var keyframes = 0
    package var deltas = 0
    /// `ServerMessage.Error`s received, by `ErrorCode` raw value.
    package var errors: [Int: Int] = [:]
    /// Connections the server closed, by WebSocket close code (0: closed without a close frame).
    package var serverCloses: [Int: Int] = [:]
    /// Snapshots whose decoded entities did not hash to the snapshot's `entity_hash`.
    package var hashMismatches = 0
    /// Server messages or snapshot payloads that did not decode.
    package var decodeFailures = 0
    /// Deltas against a tick this bot no longer (or never) had.
    package var missingBaselines = 0
    /// Connections whose join went unanswered for ``BotSession/joinTimeout``: the server accepted the connection
    /// but never let the player in.
    package var joinTimeouts = 0
    /// Inputs still unanswered when their connection ended.
    package var inputsLost = 0
    /// Inputs whose latency was not measured because too many were pending.
    package var inputsUntracked = 0
    /// Inputs not sent because the bots' loop ran a whole input interval late: the load generator, not the server,
    /// fell behind.
    package var inputsSkipped = 0
    /// Reconnections that resumed with a last acknowledged tick, and how the server answered the first snapshot.
    package var resumes = 0
    package var resumedWithDelta = 0
    package var resumedWithKeyframe = 0
    /// Abusive connections by kind name, and those the server answered as the protocol says.
    package var abuseAttempts: [String: Int] = [:]
    package var abuseAnswered: [String: Int] = [:]

    package init() {}

    /// Errors a well-behaved bot should never see: error messages, hash mismatches, undecodable data, lost
    /// baselines and unanswered joins.
    package var errorTotal: Int {
        errors.values.reduce(0, +) + hashMismatches + decodeFailures + missingBaselines + joinTimeouts
    }

    package mutating func merge(_ other: BotCounters) {
        connects += other.connects
        connectFailures += other.connectFailures
        welcomes += other.welcomes
        inputsSent += other.inputsSent
        acksSent += other.acksSent
        framesReceived += other.framesReceived
        bytesReceived += other.bytesReceived
        windowFrames += other.windowFrames
        windowBytes += other.windowBytes
        windowPlayingMicroseconds += other.windowPlayingMicroseconds
        windowSnapshots += other.windowSnapshots
        snapshots += other.snapshots
        keyframes += other.keyframes
        deltas += other.deltas
        errors.merge(other.errors, uniquingKeysWith: +)
        serverCloses.merge(other.serverCloses, uniquingKeysWith: +)
        hashMismatches += other.hashMismatches
        decodeFailures += other.decodeFailures
        missingBaselines += other.missingBaselines
        joinTimeouts += other.joinTimeouts
        inputsLost += other.inputsLost
        inputsUntracked += other.inputsUntracked
        inputsSkipped += other.inputsSkipped
        resumes += other.resumes
        resumedWithDelta += other.resumedWithDelta
        resumedWithKeyframe += other.resumedWithKeyframe
        abuseAttempts.merge(other.abuseAttempts, uniquingKeysWith: +)
        abuseAnswered.merge(other.abuseAnswered, uniquingKeysWith: +)
    }
}
