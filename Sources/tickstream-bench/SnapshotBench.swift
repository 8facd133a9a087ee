import ArgumentParser
import TickstreamArena
import TickstreamRules
import TickstreamSnapshot

/// Bytes per client per second of the snapshot stream on the arena reference, against a full JSON
/// document per tick, and the codec's encode and decode time per room delta.
struct SnapshotBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Snapshot codec on the arena reference: bandwidth per client and encode/decode time."
    )

    @Option(help: "Players in the room; each is also a client receiving snapshots.")
    var players = 25

    @Option(help: "Seconds of play measured, after a 10 s warm-up that lets pickups accumulate.")
    var seconds = 60

    @Option(help: "Mean time a player holds a direction, in seconds.")
    var hold = 0.7

    @Option(help: "Seed of the inputs and the clients' baseline ages.")
    var seed: UInt64 = 1

    /// Ticks the room has run before the measured ones, so that tick varints have realistic lengths.
    static let roomAgeTicks: UInt64 = 108_000

    func validate() throws {
        guard players > 0, seconds > 0, hold > 0 else {
            throw ValidationError("players, seconds and hold must be positive")
        }
    }

    func run() throws {
        let schema = ArenaSchema.schema
        var workload = SnapshotWorkload(playerCount: players, meanHoldSeconds: hold, seed: seed)
        let tickRate = workload.rules.tickRate
        let warmUp = 10 * tickRate
        let states = workload.run(ticks: warmUp + seconds * tickRate)

        var random = DeterministicRandom(seed: seed ^ 0xC11E_4750)
        var payloadBytes = 0
        var unpredictedBytes = 0
        var framingBytes = 0
        var jsonBytes = 0
        var entityCount = 0
        var deltas: [(baseline: Int, target: Int, payload: [UInt8])] = []
        for target in warmUp..<states.count {
            let tick = Self.tick(target)
            jsonBytes += SnapshotJSONDocument.encode(states[target], tick: tick, schema: schema).utf8.count * players
            entityCount += states[target].count
            // One delta per distinct baseline age this tick, shared by the clients with that age.
            var payloads: [Int: [UInt8]] = [:]
            var unpredictedCounts: [Int: Int] = [:]
            for _ in 0..<players {
                let age = Int.random(in: 1...3, using: &random)
                let payload: [UInt8]
                if let shared = payloads[age] {
                    payload = shared
                } else {
                    payload = try encodeChecked(states, baseline: target - age, target: target)
                    payloads[age] = payload
                    deltas.append((target - age, target, payload))
                    // The same delta without prediction: encoded as if no ticks had elapsed.
                    unpredictedCounts[age] =
                        SnapshotCodec.encodeDelta(
                            from: states[target - age], baselineTick: tick, to: states[target], tick: tick, schema: schema
                        ).count
                }
                payloadBytes += payload.count
                unpredictedBytes += unpredictedCounts[age] ?? 0
                framingBytes += Self.framingBytes(
                    tick: tick, baselineTick: tick - UInt64(age), payloadCount: payload.count)
            }
        }
        let clientSeconds = Double(players * seconds)
        let snapshots = Double(players * seconds * tickRate)
        let keyframe = SnapshotCodec.encodeKeyframe(states[states.count - 1], schema: schema)

        let payloadRate = Double(payloadBytes) / clientSeconds
        let framedRate = Double(payloadBytes + framingBytes) / clientSeconds
        let averageEntities = Double(entityCount) / Double(states.count - warmUp)
        let payloadPerSnapshot = decimal(Double(payloadBytes) / snapshots)
        let framingPerSnapshot = decimal(Double(framingBytes) / snapshots)
        print("Snapshot codec, arena reference: \(players) players holding directions ~\(hold) s, \(tickRate) Hz,")
        print("  \(seconds) s measured, baselines 1–3 ticks old, \(decimal(averageEntities)) entities per state")
        print("  delta payload:           \(Self.rate(payloadRate)) per client, \(payloadPerSnapshot) B per snapshot")
        print("  with framing (estimate): \(Self.rate(framedRate)) per client, +\(framingPerSnapshot) B per snapshot")
        print("    (WebSocket header, ServerMessage and Snapshot tags, tick, baseline tick, payload length)")
        let hashedRate = framedRate + 11 * Double(tickRate)
        print("  with entity_hash too:    \(Self.rate(hashedRate)) per client, +11 B per snapshot (uint64 varint)")
        print("  without prediction:      \(Self.rate(Double(unpredictedBytes) / clientSeconds)) per client (payload only)")
        print("  full JSON each tick:     \(Self.rate(Double(jsonBytes) / clientSeconds)) per client")
        print("  keyframe:                \(keyframe.count) B")

        let encode = measure(deltas) { delta in
            SnapshotCodec.encodeDelta(
                from: states[delta.baseline], baselineTick: Self.tick(delta.baseline),
                to: states[delta.target], tick: Self.tick(delta.target), schema: schema
            ).count
        }
        let decode = measure(deltas) { delta in
            (try? SnapshotCodec.decode(
                delta.payload, baseline: states[delta.baseline], baselineTick: Self.tick(delta.baseline),
                tick: Self.tick(delta.target), schema: schema
            ))?.count ?? 0
        }
        print("  encode:                  \(decimal(encode, digits: 2)) µs per room delta")
        print("  decode:                  \(decimal(decode, digits: 2)) µs per room delta")
    }

    /// Encodes a delta and checks that it decodes to its target, so the figures are for a codec that works.
    private func encodeChecked(_ states: [EntityTable], baseline: Int, target: Int) throws -> [UInt8] {
        let schema = ArenaSchema.schema
        let payload = SnapshotCodec.encodeDelta(
            from: states[baseline], baselineTick: Self.tick(baseline), to: states[target], tick: Self.tick(target),
            schema: schema)
        let decoded = try SnapshotCodec.decode(
            payload, baseline: states[baseline], baselineTick: Self.tick(baseline), tick: Self.tick(target),
            schema: schema)
        guard decoded == states[target] else {
            throw ValidationError("delta \(baseline) → \(target) did not round-trip")
        }
        return payload
    }

    /// Mean microseconds of `body` over `deltas`, repeated for about half a second after a warm-up pass.
    private func measure(
        _ deltas: [(baseline: Int, target: Int, payload: [UInt8])],
        _ body: ((baseline: Int, target: Int, payload: [UInt8])) -> Int
    ) -> Double {
        let clock = ContinuousClock()
        var sink = 0
        var runs = 0
        var elapsed = Duration.zero
        for delta in deltas { sink &+= body(delta) }
        while elapsed < .milliseconds(500) {
            elapsed += clock.measure {
                for delta in deltas { sink &+= body(delta) }
            }
            runs += deltas.count
        }
        precondition(sink != 0, "the measured work was optimized away")
        let (seconds, attoseconds) = elapsed.components
        return (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(runs)
    }

    /// The tick of `states[index]`, in a room that has been running for an hour.
    private static func tick(_ index: Int) -> UInt64 {
        roomAgeTicks + UInt64(index) + 1
    }

    /// Bytes around a payload on the wire: the WebSocket frame header, and the `ServerMessage.snapshot`
    /// field with its `tick`, `baseline_tick` and `payload` fields (tags and lengths).
    private static func framingBytes(tick: UInt64, baselineTick: UInt64, payloadCount: Int) -> Int {
        let snapshot =
            1 + varintCount(tick) + 1 + varintCount(baselineTick) + 1 + varintCount(UInt64(payloadCount)) + payloadCount
        let message = 1 + varintCount(UInt64(snapshot)) + snapshot
        let webSocketHeader = message < 126 ? 2 : 4
        return webSocketHeader + message - payloadCount
    }

    private static func varintCount(_ value: UInt64) -> Int {
        var count = 1
        var remaining = value >> 7
        while remaining != 0 {
            count += 1
            remaining >>= 7
        }
        return count
    }

    private static func rate(_ bytesPerSecond: Double) -> String {
        bytesPerSecond >= 1000 ? "\(decimal(bytesPerSecond / 1000, digits: 2)) KB/s" : "\(decimal(bytesPerSecond)) B/s"
    }

}
