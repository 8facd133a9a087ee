import SwiftProtobuf
import TickstreamKafka
import TickstreamProtocol
import TickstreamTesting

/// What became of one player's inputs, from the log itself: which reached `<prefix>.inputs` (Kafka acknowledged
/// them), which the simulation applied (a state record shows a last applied sequence at or past them, and no dead
/// letter refused them), and which were lost (acknowledged, never applied).
struct InputAudit: CustomStringConvertible {
    var sent: Int
    var acknowledged: Int
    var applied: Int
    /// Each player's highest input sequence in the log.
    var newestAcknowledged: [String: UInt64] = [:]
    var lost: Int { acknowledged - applied }

    var description: String { "inputs sent \(sent), acknowledged \(acknowledged), applied \(applied), lost \(lost)" }

    /// Reads the topics until every acknowledged input of `players` is applied, or `timeout` passes; then adds up.
    static func audit(
        players: [String],
        sent: Int,
        cluster: TestCluster,
        timeout: Duration = .seconds(30)
    ) async throws -> InputAudit {
        let deadline = ContinuousClock.now + timeout
        while true {
            let audit = try await read(players: players, sent: sent, cluster: cluster)
            if audit.lost == 0 || ContinuousClock.now > deadline { return audit }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private static func read(players: [String], sent: Int, cluster: TestCluster) async throws -> InputAudit {
        var logged: [String: [UInt64]] = [:]
        for record in try await cluster.records(of: cluster.topics.inputs) {
            let input = try InputRecord(serializedBytes: record.value)
            guard players.contains(input.player), case .input(let action) = input.action else { continue }
            logged[input.player, default: []].append(action.sequence)
        }
        var lastApplied: [String: UInt64] = [:]
        for record in try await cluster.records(of: cluster.topics.state) {
            for progress in try StateRecord(serializedBytes: record.value).players where players.contains(progress.player) {
                lastApplied[progress.player] = max(lastApplied[progress.player] ?? 0, progress.lastAppliedSequence)
            }
        }
        var refused = 0
        for record in try await cluster.records(of: cluster.topics.deadLetter) {
            let letter = try DeadLetter(serializedBytes: record.value)
            if let input = try? InputRecord(serializedBytes: letter.value), players.contains(input.player), case .input = input.action {
                refused += 1
            }
        }
        let acknowledged = logged.values.reduce(0) { $0 + $1.count }
        let applied = logged.reduce(0) { sum, entry in
            sum + entry.value.count { $0 <= lastApplied[entry.key] ?? 0 }
        }
        return InputAudit(
            sent: sent,
            acknowledged: acknowledged,
            applied: applied - refused,
            newestAcknowledged: logged.compactMapValues { $0.max() }
        )
    }
}
