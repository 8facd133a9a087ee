extension BotMeasurements {
    /// Adds `other`'s counters and samples, so that a loop hands its bots' figures over in one piece.
    mutating func merge(_ other: BotMeasurements) {
        counters.merge(other.counters)
        latencies += other.latencies
        latenciesOutsideWindow += other.latenciesOutsideWindow
        firstSnapshots += other.firstSnapshots
        loopLags += other.loopLags
    }
}
