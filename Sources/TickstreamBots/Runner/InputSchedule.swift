/// When the bots of one event loop send their inputs: one timer per loop, not one per bot.
///
/// The input interval is cut into `slots` ticks and each bot sends on the ticks of its slot, so that a loop's inputs
/// are spread over the interval rather than leaving in one burst. Tick `n` is due `n` tick periods after the start,
/// however late the previous tick ran, so the schedule does not drift. A loop that wakes late (a busy machine) runs
/// the ticks it missed, but no more than one interval of them: a bot skips an input only when its loop fell a whole
/// interval behind, and never sends a burst the gateway would throttle.
struct InputSchedule: Sendable, Equatable {
    /// Between two inputs of one bot.
    let interval: Duration
    /// Ticks per interval.
    let slots: Int

    /// - Parameters:
    ///   - interval: Between two inputs of one bot.
    ///   - minimumTickPeriod: The loop wakes at most this often; a longer interval is cut into more slots (at most 16).
    init(interval: Duration, minimumTickPeriod: Duration = .milliseconds(5)) {
        precondition(interval > .zero && minimumTickPeriod > .zero)
        self.interval = interval
        slots = max(1, min(16, Int(interval / minimumTickPeriod)))
    }

    var tickPeriod: Duration { interval / slots }

    /// The slot of the `index`-th bot of a loop: consecutive bots take consecutive slots.
    func slot(ofBot index: Int) -> Int { index % slots }

    /// The slot whose bots send on `tick`.
    func slot(ofTick tick: Int) -> Int { tick % slots }

    /// When `tick` is due, from the start.
    func offset(ofTick tick: Int) -> Duration { tickPeriod * tick }

    /// The ticks to run when `next` is the first not yet run and `elapsed` has passed since the start: those due, at
    /// most one interval of them (the latest), and at least `next`.
    func ticks(from next: Int, elapsed: Duration) -> ClosedRange<Int> {
        let latest = max(next, Int(elapsed / tickPeriod))
        return max(next, latest - slots + 1)...latest
    }
}
