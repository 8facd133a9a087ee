import Synchronization

/// Gathers what every bot measured: totals for the report, and the last second's figures for the progress line.
package final class BotRecorder: Sendable {
    /// The figures since the previous progress line.
    package struct Interval: Sendable {
        package var counters = BotCounters()
        package var latency = LatencyHistogram()
        package var connected = 0
        package var playing = 0
    }

    private struct State: Sendable {
        var counters = BotCounters()
        var latency = LatencyHistogram()
        var firstSnapshot = LatencyHistogram()
        var loopLag = LatencyHistogram()
        var abuse = BotCounters()
        var interval = Interval()
        var connected = 0
        var playing = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Adds a bot's measurements; `abusive` bots' counters are kept apart, as their errors are expected.
    package func add(_ measurements: BotMeasurements, abusive: Bool = false) {
        state.withLock { state in
            if abusive {
                state.abuse.merge(measurements.counters)
                return
            }
            state.counters.merge(measurements.counters)
            state.interval.counters.merge(measurements.counters)
            for latency in measurements.latencies {
                state.latency.record(microseconds: UInt64(latency))
                state.interval.latency.record(microseconds: UInt64(latency))
            }
            for latency in measurements.latenciesOutsideWindow {
                state.interval.latency.record(microseconds: UInt64(latency))
            }
            for latency in measurements.firstSnapshots {
                state.firstSnapshot.record(microseconds: UInt64(latency))
            }
            for lag in measurements.loopLags {
                state.loopLag.record(microseconds: UInt64(lag))
            }
        }
    }

    /// A well-behaved bot's connection opened (+1) or closed (-1); it was welcomed (+1) or stopped playing (-1).
    package func adjust(connected: Int = 0, playing: Int = 0) {
        state.withLock { state in
            state.connected += connected
            state.playing += playing
        }
    }

    /// The figures since the last call, with the current connection counts.
    package func takeInterval() -> Interval {
        state.withLock { state in
            var interval = state.interval
            interval.connected = state.connected
            interval.playing = state.playing
            state.interval = Interval()
            return interval
        }
    }

    package var totals: (
        counters: BotCounters, latency: LatencyHistogram, firstSnapshot: LatencyHistogram, loopLag: LatencyHistogram, abuse: BotCounters
    ) {
        state.withLock { ($0.counters, $0.latency, $0.firstSnapshot, $0.loopLag, $0.abuse) }
    }
}
