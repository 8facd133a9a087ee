import CoreMetrics

extension Timer {
    /// Records a `Duration`, such as the difference of two `ContinuousClock` instants.
    func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
