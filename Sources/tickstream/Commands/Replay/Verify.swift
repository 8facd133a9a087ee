import ArgumentParser
import Logging
import TickstreamProtocol
import TickstreamReplay

extension Replay {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-simulate a room and compare every state hash; report the first divergence.",
            discussion: "Exits 0 when every recorded tick reproduces, 1 with the tick, entity, field and inputs of the first divergence."
        )

        @Option(help: "The room (from Kafka).")
        var room: String?

        @Option(help: "An export file to verify offline, without Kafka.")
        var file: String?

        @Flag(help: "Start from the room's latest checkpoint rather than its first join.")
        var fromCheckpoint = false

        @OptionGroup var source: ReplaySourceOptions
        @OptionGroup var rules: ReplayRulesOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard (room == nil) != (file == nil) else { throw ValidationError("Give --room (read from Kafka) or --file (an export), not both.") }
        }

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.replay")
            let (recording, idleTimeoutTicks) = try await load(logger: logger)
            let clock = ContinuousClock()
            let start = clock.now
            var replay = try Resimulation(recording: recording, rules: try rules.rules(), idleTimeoutTicks: idleTimeoutTicks)
            let divergence = replay.run { done, total in Progress.note("re-simulated \(done)/\(total) ticks") }
            let elapsed = clock.now - start
            if let divergence {
                print(divergence)
                print("\(replay.verifiedTicks) ticks verified before the divergence")
                throw ExitCode.failure
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Int(Double(replay.verifiedTicks) / seconds) : 0
            print("room \(recording.room): \(replay.verifiedTicks) ticks verified (\(recording.tickRange.map { "\($0.lowerBound)...\($0.upperBound)" } ?? "none")), every state hash reproduced; \(rate) ticks/s")
        }

        /// The recording and the idle timeout it ran with.
        private func load(logger: Logger) async throws -> (RoomRecording, UInt64) {
            if let file {
                let export = try RoomExport(contentsOfFile: file)
                let recording = try RoomRecording(export)
                return (recording, export.idleTimeoutTicks == 0 ? rules.idleTimeoutTicks : export.idleTimeoutTicks)
            }
            let recording = try await source.withReader(logger: logger) { reader in
                try await KafkaRoomSource(reader: reader, topics: source.kafka.topics).recording(room: room!, fromCheckpoint: fromCheckpoint, progress: Progress.report)
            }
            return (recording, rules.idleTimeoutTicks)
        }
    }
}
