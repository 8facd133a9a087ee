import Synchronization
import TickstreamArena
import TickstreamProtocol
import TickstreamTesting

/// Plays one joined client: sends an input every `interval` while acknowledging every snapshot, and keeps count of
/// what was sent, the errors the server answered, and the newest last applied sequence seen.
final class InputDriver: Sendable {
    struct Counts {
        var sent: UInt64 = 0
        var errors: [ErrorCode: Int] = [:]
        var lastApplied: UInt64 = 0
        /// The newest tick acknowledged: where a reconnect resumes from.
        var lastAcknowledgedTick: UInt64 = 0
        var snapshots = 0
    }

    let client: TestClient
    private let counts = Mutex(Counts())

    init(_ client: TestClient, firstSequence: UInt64 = 1) {
        self.client = client
        counts.withLock { $0.sent = firstSequence - 1 }
    }

    var current: Counts { counts.withLock { $0 } }

    /// Sends inputs until `stop` returns true (checked before each) or the task is cancelled, then reads until the
    /// server has applied the last one or `settle` passes; then, if given, performs `finally` and reads on until the
    /// connection closes.
    func run(
        interval: Duration = .milliseconds(100),
        settle: Duration = .seconds(20),
        until stop: @escaping @Sendable () -> Bool,
        finally: (@Sendable () async -> Void)? = nil
    ) async {
        let payloads = [ArenaInput(heading: .east).payload, ArenaInput(heading: .west).payload]
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in self.client.messages {
                    switch message.message {
                    case .snapshot(let snapshot):
                        self.client.send(.ack(snapshot.tick))
                        self.counts.withLock {
                            $0.lastApplied = max($0.lastApplied, snapshot.lastAppliedSequence)
                            $0.lastAcknowledgedTick = max($0.lastAcknowledgedTick, snapshot.tick)
                            $0.snapshots += 1
                        }
                    case .error(let error):
                        self.counts.withLock { $0.errors[error.code, default: 0] += 1 }
                    default:
                        break
                    }
                }
            }
            // A cancelled sleep returns at once: without the check, a cancelled driver would spin.
            while !stop(), !Task.isCancelled {
                let sequence = counts.withLock { counts in
                    counts.sent += 1
                    return counts.sent
                }
                client.send(.input(sequence, payloads[Int(sequence / 10) % 2]))
                try? await Task.sleep(for: interval)
            }
            let deadline = ContinuousClock.now + settle
            while ContinuousClock.now < deadline, current.lastApplied < current.sent, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
            }
            if let finally {
                await finally()
                await group.waitForAll()
            } else {
                group.cancelAll()
            }
        }
    }
}
