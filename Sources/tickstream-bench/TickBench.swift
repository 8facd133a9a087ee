import ArgumentParser
import SwiftProtobuf
import TickstreamArena
import TickstreamProtocol
import TickstreamRules
import TickstreamSimulation

/// CPU time of one arena tick for a full room, and how many such rooms one core can run at the tick rate.
struct TickBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Arena tick cost: the rules alone, and with the state record a worker publishes each tick."
    )

    @Option(help: "Players in the room.")
    var players = 25

    @Option(help: "Ticks measured (after 300 warm-up ticks).")
    var ticks = 30_000

    @Option(help: "Mean time a player holds a direction, in seconds.")
    var hold = 0.7

    func run() throws {
        let rules = ArenaRules()
        var engine = RoomEngine(room: "bench", rules: rules, idleTimeoutTicks: .max)
        for player in 0..<players {
            _ = engine.enqueue(.join("player-\(player)"), offset: Int64(player))
        }
        var offset = Int64(players)
        var random = DeterministicRandom(seed: 1)
        var sequences = [UInt64](repeating: 0, count: players)
        let changeOdds = Int64(hold * Double(rules.tickRate))

        func queueInputs() {
            for player in 0..<players where random.next(in: 1...changeOdds) == 1 {
                sequences[player] += 1
                let heading = ArenaHeading(rawValue: random.next(in: 0...8)) ?? .still
                _ = engine.enqueue(.input("player-\(player)", sequence: sequences[player], payload: ArenaInput(heading: heading).payload), offset: offset)
                offset += 1
            }
        }

        for _ in 0..<300 {
            queueInputs()
            _ = engine.tick()
        }

        let clock = ContinuousClock()
        var rulesTime = Duration.zero
        var recordTime = Duration.zero
        var recordBytes = 0
        var previous = engine.state
        for _ in 0..<ticks {
            queueInputs()
            let start = clock.now
            let outcome = engine.tick()
            let ticked = clock.now
            let record = StateRecord(engine: engine, outcome: outcome, baseline: previous, epoch: 1, worker: "bench")
            let bytes: [UInt8] = try record.serializedBytes()
            let end = clock.now
            rulesTime += ticked - start
            recordTime += end - ticked
            recordBytes += bytes.count
            previous = engine.state
        }

        let rulesMicros = rulesTime.seconds * 1e6 / Double(ticks)
        let totalMicros = (rulesTime + recordTime).seconds * 1e6 / Double(ticks)
        let roomsPerCore = 1_000_000 / (totalMicros * Double(rules.tickRate))
        print("arena tick, \(players) players, \(ticks) ticks (\(engine.state.entities.count) entities at the end)")
        print("  rules tick:                                 \(decimal(rulesMicros, digits: 2)) µs")
        print("  with its state record (delta, hash, protobuf): \(decimal(totalMicros, digits: 2)) µs (\(recordBytes / ticks) B per record)")
        print("  rooms one core can tick at \(rules.tickRate) Hz:       \(Int(roomsPerCore))")
}
}
