import ArgumentParser
import SwiftProtobuf
import TickstreamArena
import TickstreamProtocol
import TickstreamReplay
import TickstreamRules
import TickstreamSimulation

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Re-simulation speed: how fast `tickstream replay verify` checks a recorded arena room, against real time.
struct ReplayBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-simulation speed of a recorded arena room: ticks per second and the multiple of real time."
    )

    @Option(help: "Players in the room.")
    var players = 25

    @Option(help: "Seconds of play recorded (3,600: an hour).")
    var duration = 3_600

    @Option(help: "Mean time a player holds a direction, in seconds.")
    var hold = 0.7

    @Option(help: "Also write the recording as an export file here, for `tickstream replay verify --file`.")
    var output: String?

    func run() throws {
        let rules = ArenaRules()
        let clock = ContinuousClock()
        let recordStart = clock.now
        let recording = record(rules: rules, ticks: duration * rules.tickRate)
        let recordTime = clock.now - recordStart
        if let output {
            try recording.export(rulesName: rules.name, rulesVersion: rules.version, idleTimeoutTicks: .max, sourceTopic: "bench", exportedAtMs: 0).write(toFile: output)
        }

        let start = clock.now
        var replay = try Resimulation(recording: recording, rules: rules, idleTimeoutTicks: .max)
        if let divergence = replay.run() {
            throw ValidationError("the recording did not reproduce: \(divergence)")
        }
        let elapsed = (clock.now - start).seconds
        let ticks = replay.verifiedTicks
        let rate = Double(ticks) / elapsed
        print("replay verify, arena room of \(players) players, \(duration) s at \(rules.tickRate) Hz: \(ticks) ticks, \(recording.inputs.count) inputs")
        print("  recorded in (live simulation + state records): \(decimal(recordTime.seconds, digits: 2)) s")
        print("  re-simulated and every hash checked in:        \(decimal(elapsed, digits: 2)) s")
        print("  speed:                                         \(Int(rate)) ticks/s, \(decimal(rate / Double(rules.tickRate))) × real time")
        if let output { print("  export file: \(output)") }
    }

    /// A room as a worker records it: joins, then inputs at random; a state record per tick (a keyframe every 30 ticks).
    private func record(rules: ArenaRules, ticks: Int) -> RoomRecording {
        var engine = RoomEngine(room: "bench", rules: rules, idleTimeoutTicks: .max)
        var inputs: [RecordedInput] = []
        var states: [StateRecord] = []
        var random = DeterministicRandom(seed: 7)
        var sequences = [UInt64](repeating: 0, count: players)
        let changeOdds = Int64(hold * Double(rules.tickRate))
        var previous: RoomState?

        func append(_ record: InputRecord) {
            let offset = Int64(inputs.count)
            inputs.append(RecordedInput(offset: offset, timestamp: offset, record: record))
            _ = engine.enqueue(try! RoomCommand(record), offset: offset)
        }
        for player in 0..<players {
            append(.with { $0.room = "bench"; $0.player = "player-\(player)"; $0.join = .init() })
        }
        for _ in 0..<ticks {
            for player in 0..<players where random.next(in: 1...changeOdds) == 1 {
                sequences[player] += 1
                let heading = ArenaHeading(rawValue: random.next(in: 0...8)) ?? .still
                append(.with {
                    $0.room = "bench"
                    $0.player = "player-\(player)"
                    $0.input = .with { [sequence = sequences[player]] in $0.sequence = sequence; $0.payload = Data(ArenaInput(heading: heading).payload) }
                })
            }
            let outcome = engine.tick()
            let keyframe = engine.state.tick % 30 == 0 || previous == nil
            states.append(StateRecord(engine: engine, outcome: outcome, baseline: keyframe ? nil : previous, epoch: 1, worker: "bench"))
            previous = engine.state
        }
        return RoomRecording(room: "bench", partition: 0, checkpoint: nil, inputs: inputs, states: states)
    }
}
