public import TickstreamRules

/// Re-simulates a room from its input log, cut into ticks by the recorded input watermarks, and
/// compares each state hash with the recorded one.
///
/// Because the rules are deterministic, a match reproduces bit for bit: any difference is a bug in
/// the rules, a corrupted log, or inputs applied differently than recorded.
public struct RoomReplay: Sendable {
    public private(set) var engine: RoomEngine
    /// Ticks whose hash matched.
    public private(set) var verifiedTicks = 0

    /// Starts from the room's creation.
    public init(room: String, rules: any GameRules, idleTimeoutTicks: UInt64) {
        self.engine = RoomEngine(room: room, rules: rules, idleTimeoutTicks: idleTimeoutTicks)
    }

    /// Starts from a restored state, e.g. a checkpoint.
    public init(engine: RoomEngine) {
        self.engine = engine
    }

    /// Re-simulates one recorded tick from `commands` (the room's commands after the previous tick,
    /// in log order; those past the tick's watermark stay queued for the next).
    /// - Returns: the divergence, or nil if the hash matched.
    public mutating func replay(_ recorded: RecordedTick, commands: inout ArraySlice<(offset: Int64, command: RoomCommand)>) -> ReplayDivergence? {
        while let next = commands.first, next.offset <= recorded.inputWatermark {
            _ = engine.enqueue(next.command, offset: next.offset)
            commands.removeFirst()
        }
        let before = engine.state
        _ = engine.tick(through: recorded.inputWatermark)
        guard engine.state.tick == recorded.tick else {
            return ReplayDivergence(tick: recorded.tick, expectedHash: recorded.stateHash, actualHash: engine.state.stateHash, previous: before, actual: engine.state, detail: "re-simulation reached tick \(engine.state.tick), the record is of tick \(recorded.tick)")
        }
        guard engine.state.stateHash == recorded.stateHash else {
            return ReplayDivergence(tick: recorded.tick, expectedHash: recorded.stateHash, actualHash: engine.state.stateHash, previous: before, actual: engine.state, detail: "state hash differs")
        }
        verifiedTicks += 1
        return nil
    }
}

/// Where a re-simulation first differs from the log.
public struct ReplayDivergence: Sendable, CustomStringConvertible {
    public var tick: UInt64
    public var expectedHash: UInt64
    public var actualHash: UInt64
    /// The re-simulated state before and after the divergent tick.
    public var previous: RoomState
    public var actual: RoomState
    public var detail: String

    public var description: String {
        "tick \(tick): \(detail) (recorded \(String(expectedHash, radix: 16)), re-simulated \(String(actualHash, radix: 16)))"
    }
}
