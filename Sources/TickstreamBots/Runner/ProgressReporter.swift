import Foundation

/// Writes one line a second on standard error while a run goes: connections, traffic, latency of the last second.
struct ProgressReporter: Sendable {
    let recorder: BotRecorder
    let start: ContinuousClock.Instant
    let window: MeasurementWindow
    let measuredClients: Int

    func run() async {
        var next = start + .seconds(1)
        var previous = start
        while next <= window.end {
            guard (try? await Task.sleep(until: next)) != nil else { return }
            let now = ContinuousClock.now
            let interval = recorder.takeInterval()
            let line = Self.line(interval, elapsed: start.duration(to: now), seconds: previous.duration(to: now).seconds,
                                 phase: now < window.start ? "warm-up" : "measure", clients: measuredClients)
            FileHandle.standardError.write(Data((line + "\n").utf8))
            previous = now
            next += .seconds(1)
        }
    }

    static func line(_ interval: BotRecorder.Interval, elapsed: Duration, seconds: Double, phase: String, clients: Int) -> String {
        let counters = interval.counters
        func rate(_ value: Int) -> Int { Int((Double(value) / max(seconds, 0.001)).rounded()) }
        func milliseconds(_ microseconds: UInt64) -> String { String((Double(microseconds) / 100).rounded() / 10) }
        let kilobytes = Double(counters.bytesReceived) / max(seconds, 0.001) / Double(max(clients, 1)) / 1024
        let closes = counters.serverCloses.values.reduce(0, +)
        return "[\(Int(elapsed.seconds.rounded()))s \(phase)] \(interval.connected) connected, \(interval.playing) playing | "
            + "\(rate(counters.inputsSent)) inputs/s, \(rate(counters.snapshots)) snapshots/s, "
            + "\(String((kilobytes * 100).rounded() / 100)) KB/client/s | "
            + "latency p50 \(milliseconds(interval.latency.percentile(0.5))) p99 \(milliseconds(interval.latency.percentile(0.99))) "
            + "max \(milliseconds(interval.latency.maximum)) ms | errors \(counters.errorTotal), server closes \(closes)"
    }
}
