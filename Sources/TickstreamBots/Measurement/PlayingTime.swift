/// Client-seconds of playing inside the measurement window: how many players play, integrated over time.
///
/// Per-client figures divide by it rather than by the players planned, so that players an overloaded server never
/// admitted (or dropped) do not dilute the cost of the ones it served.
struct PlayingTime {
    let window: MeasurementWindow
    /// Players playing now, and since when that count has held.
    private(set) var playing = 0
    private var since: ContinuousClock.Instant
    private var microseconds = 0

    init(window: MeasurementWindow, start: ContinuousClock.Instant) {
        self.window = window
        self.since = start
    }

    /// `delta` players started (+) or stopped (-) playing at `instant`.
    mutating func change(by delta: Int, at instant: ContinuousClock.Instant) {
        count(until: instant)
        playing += delta
    }

    /// The playing time inside the window up to `instant` not taken before, in microseconds.
    mutating func take(until instant: ContinuousClock.Instant) -> Int {
        count(until: instant)
        defer { microseconds = 0 }
        return microseconds
    }

    private mutating func count(until instant: ContinuousClock.Instant) {
        let from = max(since, window.start)
        let to = min(instant, window.end)
        if from < to {
            microseconds += playing * Int(from.duration(to: to) / .microseconds(1))
        }
        since = max(since, instant)
    }
}
