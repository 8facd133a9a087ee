import ArgumentParser
import Logging
import TickstreamProtocol
import TickstreamReplay
import TickstreamRules

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Replay {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a room's inputs, recorded ticks and metadata to a file that `verify --file` and `state --file` read offline."
        )

        @Option(help: "The room.")
        var room: String

        @Option(name: .shortAndLong, help: "The file to write.")
        var output: String

        @Flag(help: "Start from the room's latest checkpoint (a smaller file) rather than its first join.")
        var fromCheckpoint = false

        @OptionGroup var source: ReplaySourceOptions
        @OptionGroup var rules: ReplayRulesOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.replay")
            let rules = try rules.rules()
            let recording = try await source.withReader(logger: logger) { reader in
                try await KafkaRoomSource(reader: reader, topics: source.kafka.topics).recording(room: room, fromCheckpoint: fromCheckpoint, progress: Progress.report)
            }
            let export = recording.export(
                rulesName: recording.rulesName ?? rules.name,
                rulesVersion: recording.rulesVersion ?? rules.version,
                idleTimeoutTicks: self.rules.idleTimeoutTicks,
                sourceTopic: source.kafka.topics.inputs,
                exportedAtMs: Int64(Date().timeIntervalSince1970 * 1000)
            )
            try export.write(toFile: output)
            print("wrote \(output): room \(room), \(export.inputs.count) inputs, ticks \(recording.tickRange.map { "\($0.lowerBound)...\($0.upperBound)" } ?? "none")\(recording.checkpoint.map { " from the checkpoint at tick \($0.tick)" } ?? "")")
        }
    }
}
