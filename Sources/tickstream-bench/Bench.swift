import ArgumentParser

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickstream-bench",
        abstract: "Microbenchmarks of Tickstream's parts; each prints its figures.",
        subcommands: [SnapshotBench.self, KafkaBench.self, TickBench.self, ReplayBench.self, IOFloorBench.self, KafkaLoadBench.self]
    )
}

/// A benchmark that cannot run, with the reason it prints.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
