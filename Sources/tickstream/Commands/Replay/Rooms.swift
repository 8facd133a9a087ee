import ArgumentParser
import Logging
import TickstreamReplay

extension Replay {
    struct Rooms: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the rooms seen in an offset or time range: partition, ticks, players, record counts."
        )

        @Option(help: "Read only this partition index.")
        var partition: Int32?

        @OptionGroup var range: ReadRangeOptions
        @OptionGroup var source: ReplaySourceOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.replay")
            let range = try range.range()
            let rooms = try await source.withReader(logger: logger) { reader in
                try await KafkaRoomSource(reader: reader, topics: source.kafka.topics).rooms(in: range, partition: partition, progress: Progress.report)
            }
            print("room\tpartition\tticks\tinputs\tstates\tcloses\tplayers")
            for room in rooms {
                let ticks = room.firstTick.map { "\($0)...\(room.lastTick ?? $0)" } ?? "-"
                print("\(room.room)\t\(room.partition)\t\(ticks)\t\(room.inputRecords)\t\(room.stateRecords)\t\(room.closes)\t\(room.players.joined(separator: ","))")
            }
            Progress.note("\(rooms.count) rooms")
        }
    }
}
