/// When a room's ticks are due: fixed deadlines one period apart, so the loop does not drift.
///
/// A late wake-up runs the missed ticks at once, up to `maxCatchUpTicks`; beyond that the schedule
/// restarts from now and the ticks are counted as dropped, so a stall never builds an unbounded backlog.
public struct TickSchedule: Sendable, Hashable {
    public let period: Duration
    public let maxCatchUpTicks: Int
    /// When the next tick is due.
    public private(set) var deadline: ContinuousClock.Instant
    /// Wake-ups that found more than one tick due.
    public private(set) var overruns: Int = 0
    /// Ticks given up because the room fell further behind than `maxCatchUpTicks`.
    public private(set) var droppedTicks: Int = 0

    /// - Parameter start: when the first tick is due.
    public init(period: Duration, maxCatchUpTicks: Int = 3, start: ContinuousClock.Instant) {
        self.period = period
        self.maxCatchUpTicks = maxCatchUpTicks
        self.deadline = start
    }

    /// The number of ticks to run now, advancing the deadline past them.
    public mutating func ticksDue(at now: ContinuousClock.Instant) -> Int {
        guard now >= deadline else { return 0 }
        var due = 0
        while deadline <= now && due < maxCatchUpTicks + 1 {
            due += 1
            deadline = deadline.advanced(by: period)
        }
        if due > 1 {
            overruns += 1
        }
        if deadline <= now {
            let behind = Int((now - deadline) / period) + 1
            droppedTicks += behind
            deadline = deadline.advanced(by: period * behind)
        }
        return due
    }

    /// Restarts the schedule: the next tick is due one period after `now`.
    public mutating func restart(at now: ContinuousClock.Instant) {
        deadline = now.advanced(by: period)
    }
}
