/// The part of a run that counts: after the warm-up, before the end.
package struct MeasurementWindow: Sendable, Equatable {
    package var start: ContinuousClock.Instant
    package var end: ContinuousClock.Instant

    package init(start: ContinuousClock.Instant, end: ContinuousClock.Instant) {
        precondition(start <= end)
        self.start = start
        self.end = end
    }

    package func contains(_ instant: ContinuousClock.Instant) -> Bool {
        instant >= start && instant < end
    }

    package var duration: Duration { start.duration(to: end) }
}
