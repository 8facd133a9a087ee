/// What one bot measured since it last handed its figures over: counters and raw latency samples.
///
/// Bots fill their own, without locks, and hand them to the shared ``BotRecorder`` about once a second, so the
/// sample lists stay short.
package struct BotMeasurements: Sendable, Equatable {
    package var counters = BotCounters()
    /// Input → own-state latencies of inputs sent inside the window, in microseconds.
    package var latencies: [UInt32] = []
    /// The same for inputs sent outside the window (warm-up): shown in the progress line only.
    package var latenciesOutsideWindow: [UInt32] = []
    /// Connect → first snapshot, in microseconds, for every connection.
    package var firstSnapshots: [UInt32] = []
    /// How late a loop ran its input ticks due inside the window, in microseconds: the bots' own delay.
    package var loopLags: [UInt32] = []

    package init() {}

    static func microseconds(_ duration: Duration) -> UInt32 {
        UInt32(clamping: LatencyHistogram.microseconds(duration))
    }
}
