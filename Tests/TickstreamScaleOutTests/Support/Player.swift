import Synchronization
import TickstreamArena
import TickstreamProtocol
import TickstreamRules
import TickstreamTesting

/// A player over a real WebSocket that keeps sending inputs, applies and acknowledges every snapshot, and records
/// what proves the guarantees: the state it saw at each tick, and how far its inputs got.
final class Player: Sendable {
    let name: String
    let room: String
    let url: String
    private let inputInterval: Duration
    private let state = Mutex(Observations())
    private let sending = Atomic(true)
    private let welcomed = Atomic(false)
    /// Set once the last input is sent: only then can the player tell it has caught up.
    private let doneSending = Atomic(false)

    /// What the player has seen so far.
    struct Observations: Sendable {
        /// The hash of the entity table the player rebuilt at each tick it received.
        var hashes: [UInt64: UInt64] = [:]
        var snapshots = 0
        var latestTick: UInt64 = 0
        /// Players in the room at the latest tick.
        var playersInRoom = 0
        var lastSent: UInt64 = 0
        /// Inputs the gateway answered `UNAVAILABLE`: Kafka did not acknowledge them.
        var refused: Set<UInt64> = []
        var lastApplied: UInt64 = 0
        /// Snapshots whose last applied sequence went backwards.
        var regressions = 0
        /// The longest wait between two snapshots, and the largest jump in tick numbers.
        var longestSilence: Duration = .zero
        var largestTickJump: UInt64 = 0
        var lastSnapshotAt: ContinuousClock.Instant?
        /// Errors other than `UNAVAILABLE`.
        var errors: [String] = []

        /// The last input Kafka acknowledged: the highest sent that was not refused.
        var lastAcknowledged: UInt64 {
            var sequence = lastSent
            while sequence > 0 && refused.contains(sequence) { sequence -= 1 }
            return sequence
        }
    }

    init(name: String, room: String, url: String, inputInterval: Duration = .milliseconds(100)) {
        self.name = name
        self.room = room
        self.url = url
        self.inputInterval = inputInterval
    }

    var observations: Observations { state.withLock { $0 } }

    /// The longest wait between two snapshots since the last call: how long the room stood still.
    func takeLongestSilence() -> Duration {
        state.withLock { state in
            defer { state.longestSilence = .zero }
            return state.longestSilence
        }
    }

    /// Stops sending; ``play()`` returns once the simulation has applied the last acknowledged input.
    func stopSending() {
        sending.store(false, ordering: .relaxed)
    }

    /// Connects, joins and plays until ``stopSending()`` and the last acknowledged input is applied.
    func play() async throws {
        _ = try await TestClient.connect(url) { client in
            client.send(.join(self.room))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.sendInputs(client) }
                try await self.readSnapshots(client)
                group.cancelAll()
            }
        }
    }

    private func sendInputs(_ client: TestClient) async throws {
        // The reader owns the message stream: wait for it to see the welcome.
        while !welcomed.load(ordering: .relaxed) {
            try await Task.sleep(for: .milliseconds(10))
        }
        var round = 0
        while sending.load(ordering: .relaxed) {
            let sequence = state.withLock { state in
                state.lastSent += 1
                return state.lastSent
            }
            let heading = ArenaHeading.allCases[round % ArenaHeading.allCases.count]
            client.send(.input(sequence, ArenaInput(heading: heading).payload))
            round += 1
            try await Task.sleep(for: inputInterval)
        }
        doneSending.store(true, ordering: .relaxed)
    }

    private func readSnapshots(_ client: TestClient) async throws {
        var tracker = SnapshotTracker()
        for await message in client.messages {
            if message.welcomeMessage != nil {
                welcomed.store(true, ordering: .relaxed)
                continue
            }
            if let error = message.errorMessage {
                state.withLock { state in
                    if error.code == .unavailable, error.sequence != 0 {
                        state.refused.insert(error.sequence)
                    } else {
                        state.errors.append("\(error.code): \(error.message)")
                    }
                }
                continue
            }
            guard let snapshot = message.snapshotMessage else { continue }
            let table = try tracker.apply(snapshot)
            client.send(.ack(snapshot.tick))
            let now = ContinuousClock.now
            let caughtUp = state.withLock { state in
                state.hashes[snapshot.tick] = table.entityHash
                state.snapshots += 1
                if let previous = state.lastSnapshotAt {
                    state.longestSilence = max(state.longestSilence, now - previous)
                }
                state.lastSnapshotAt = now
                if snapshot.tick > state.latestTick {
                    if state.latestTick > 0 {
                        state.largestTickJump = max(state.largestTickJump, snapshot.tick - state.latestTick)
                    }
                    state.latestTick = snapshot.tick
                    state.playersInRoom = table.count { $0.kind == ArenaSchema.Player.kind }
                    if snapshot.lastAppliedSequence < state.lastApplied {
                        state.regressions += 1
                    }
                    state.lastApplied = snapshot.lastAppliedSequence
                }
                return doneSending.load(ordering: .relaxed) && state.lastApplied >= state.lastAcknowledged
            }
            if caughtUp { return }
        }
        throw ProcessFailure("\(name): the gateway closed the connection")
    }
}
