import ArgumentParser
import Logging
import TickstreamProtocol
import TickstreamReplay
import TickstreamRules

extension Replay {
    struct State: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a room's full state at a tick, re-simulated from its checkpoint or its start, as JSON.",
            discussion: "Checks every recorded hash on the way; a divergence before the tick is reported instead (exit 1)."
        )

        @Option(help: "The tick.")
        var tick: UInt64

        @Option(help: "The room (from Kafka).")
        var room: String?

        @Option(help: "An export file, offline.")
        var file: String?

        @OptionGroup var source: ReplaySourceOptions
        @OptionGroup var rules: ReplayRulesOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard (room == nil) != (file == nil) else { throw ValidationError("Give --room (read from Kafka) or --file (an export), not both.") }
        }

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.replay")
            let rules = try rules.rules()
            var idleTimeoutTicks = self.rules.idleTimeoutTicks
            let recording: RoomRecording
            if let file {
                let export = try RoomExport(contentsOfFile: file)
                recording = try RoomRecording(export)
                if export.idleTimeoutTicks > 0 { idleTimeoutTicks = export.idleTimeoutTicks }
            } else {
                recording = try await source.withReader(logger: logger) { reader in
                    let source = KafkaRoomSource(reader: reader, topics: source.kafka.topics)
                    // The latest checkpoint at or before the tick saves re-simulating from the start.
                    if let fromCheckpoint = try? await source.recording(room: room!, fromCheckpoint: true, progress: Progress.report),
                        let checkpoint = fromCheckpoint.checkpoint, checkpoint.tick <= tick
                    {
                        return fromCheckpoint
                    }
                    return try await source.recording(room: room!, fromCheckpoint: false, progress: Progress.report)
                }
            }
            guard let range = recording.tickRange, range.contains(tick) || recording.checkpoint?.tick == tick else {
                throw ValidationError("tick \(tick) is not in the recording of room \(recording.room) (ticks \(recording.tickRange.map { "\($0.lowerBound)...\($0.upperBound)" } ?? "none"))")
            }
            var replay = try Resimulation(recording: recording, rules: rules, idleTimeoutTicks: idleTimeoutTicks)
            if let divergence = replay.run(through: tick, progress: { done, total in Progress.note("re-simulated \(done)/\(total) ticks") }) {
                print(divergence)
                throw ExitCode.failure
            }
            print(replay.state.json(room: recording.room, schema: rules.schema))
            Progress.note("tick \(tick): state hash matches the record (\(replay.verifiedTicks) ticks verified)")
        }
    }
}
