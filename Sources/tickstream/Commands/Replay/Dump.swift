import ArgumentParser
import Logging
import TickstreamArena
import TickstreamKafka
import TickstreamProtocol
import TickstreamReplay

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Replay {
    struct Dump: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print inputs and states as JSON lines: offset, timestamp, room, tick, player and the decoded record.",
            discussion: "Input lines carry the tick that applied them. With --follow, goes on printing new records until interrupted."
        )

        @Option(help: "Only this room's records (and only its partition is read). Offsets of --from-offset/--to-offset are of its inputs partition (of its state partition with --records states).")
        var room: String?

        @Option(help: "Only this player's inputs, and the states in which the player is in the room.")
        var player: String?

        @Option(help: "Only ticks from this one.")
        var fromTick: UInt64?

        @Option(help: "Only ticks up to this one.")
        var toTick: UInt64?

        @Option(help: "Which records: inputs, states or all.")
        var records: Kind = .all

        @Flag(help: "Decode the entities of state records.")
        var entities = false

        @Flag(help: "After the range, keep printing new records until interrupted.")
        var follow = false

        @OptionGroup var range: ReadRangeOptions
        @OptionGroup var source: ReplaySourceOptions
        @OptionGroup var logging: LoggingOptions

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case inputs, states, all
        }

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.replay")
            let range = try range.range()
            let ticks = (fromTick != nil || toTick != nil) ? (fromTick ?? 0)...(toTick ?? .max) : nil
            var formatter = DumpFormatter(
                filter: DumpFilter(room: room, player: player, ticks: ticks, inputs: records != .states, states: records != .inputs, entities: entities),
                schema: ArenaRules().schema
            )
            let topics = source.kafka.topics
            try await source.withReader(logger: logger) { reader in
                let roomSource = KafkaRoomSource(reader: reader, topics: topics)
                let partitions: [Int32]
                if let room {
                    partitions = [try await roomSource.partition(of: room)]
                } else {
                    partitions = Array(0..<(try await reader.partitionCount(of: topics.inputs)))
                }
                var resume: [TopicPartitionOffset] = []
                for index in partitions {
                    // States first: they say which tick applied each input.
                    let states = TopicPartition(topic: topics.state, partition: index)
                    let stateOffsets = try await reader.offsets(of: range, in: states, strict: room != nil && records == .states)
                    var stateLines: [String] = []
                    try await reader.read(states, offsets: stateOffsets, progress: Progress.report) { record in
                        formatter.learn(record)
                        if formatter.filter.states, let line = formatter.stateLine(record) { stateLines.append(line) }
                    }
                    let inputs = TopicPartition(topic: topics.inputs, partition: index)
                    let inputOffsets = try await reader.offsets(of: range, in: inputs, strict: room != nil && records != .states)
                    if formatter.filter.inputs {
                        try await reader.read(inputs, offsets: inputOffsets, progress: Progress.report) { record in
                            if let line = formatter.inputLine(record) { print(line) }
                        }
                    }
                    stateLines.forEach { print($0) }
                    resume += [TopicPartitionOffset(inputs, offset: inputOffsets.upperBound), TopicPartitionOffset(states, offset: stateOffsets.upperBound)]
                }
                guard follow else { return }
                fflush(nil)
                try await reader.follow(resume) { record in
                    if record.topic == topics.state {
                        formatter.learn(record)
                        if formatter.filter.states, let line = formatter.stateLine(record) { print(line) }
                    } else if formatter.filter.inputs, let line = formatter.inputLine(record) {
                        print(line)
                    }
                    fflush(nil)
                }
            }
        }
    }
}
