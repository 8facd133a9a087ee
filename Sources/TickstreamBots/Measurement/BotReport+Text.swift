extension BotReport {
    /// The report for people: a few aligned lines.
    package var text: String {
        func format(_ value: Double, _ digits: Int = 1) -> String {
            let scale = (0..<digits).reduce(1.0) { result, _ in result * 10 }
            let rounded = (value * scale).rounded() / scale
            return digits == 0 ? String(Int(rounded)) : String(rounded)
        }
        func list(_ counts: [String: Int]) -> String {
            counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        var lines = [
            "scenario \(scenario), \(players) players (\(measuredClients) measured) in \(rooms) rooms, "
                + "\(format(inputRate, 0)) inputs/s, \(format(durationSeconds, 0)) s after \(format(warmupSeconds, 0)) s warm-up, \(subprotocol)",
            "input → own state  p50 \(format(latencyMs.p50)) ms  p95 \(format(latencyMs.p95)) ms  p99 \(format(latencyMs.p99)) ms  "
                + "max \(format(latencyMs.max)) ms  (\(latencyMs.count) inputs)",
            "connect → snapshot p50 \(format(firstSnapshotMs.p50)) ms  p99 \(format(firstSnapshotMs.p99)) ms  "
                + "max \(format(firstSnapshotMs.max)) ms  (\(firstSnapshotMs.count) connections)",
            "per client per s   \(format(perClientPerSecond.bytes / 1024, 2)) KB  \(format(perClientPerSecond.frames)) frames  "
                + "\(format(perClientPerSecond.snapshots)) snapshots  (\(format(clientSecondsPlayed, 0)) client-seconds played)",
            "totals             \(totals.inputsSent) inputs, \(totals.snapshots) snapshots (\(totals.keyframes) keyframes), "
                + "\(totals.bytesReceived) bytes, \(totals.connects) connects (\(totals.connectFailures) failed), "
                + "\(totals.inputsLost) inputs lost on disconnect",
            "errors             \(errors.total): \(list(errors.byCode)); hash mismatches \(errors.hashMismatches), "
                + "undecodable \(errors.decodeFailures), missing baselines \(errors.missingBaselines), "
                + "joins unanswered \(errors.joinTimeouts)",
            "server closes      \(list(errors.serverClosesByCode))",
        ]
        if totals.resumes > 0 {
            lines.append("resumes            \(totals.resumes): \(totals.resumedWithDelta) with a delta, \(totals.resumedWithKeyframe) with a keyframe")
        }
        if let abuse {
            lines.append("abuse              attempts \(list(abuse.attempts)); answered \(list(abuse.answered))")
            lines.append("                   errors \(list(abuse.errorsByCode)); closes \(list(abuse.serverClosesByCode))")
        }
        lines.append(
            "bots' loop lag     p50 \(format(loopLagMs.p50)) ms  p99 \(format(loopLagMs.p99)) ms  max \(format(loopLagMs.max)) ms  "
                + "(\(totals.inputsSkipped) inputs skipped)"
        )
        if let botCPUMsPerClientSecond {
            lines.append("bots CPU           \(format(botCPUMsPerClientSecond, 3)) ms per client-second")
        }
        return lines.joined(separator: "\n")
    }
}
