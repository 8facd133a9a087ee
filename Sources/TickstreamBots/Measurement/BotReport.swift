import TickstreamProtocol

/// The summary of a run: what `--json` prints, and what the text report shows.
package struct BotReport: Sendable, Codable, Equatable {
    /// Percentiles of a latency distribution, in milliseconds.
    package struct Percentiles: Sendable, Codable, Equatable {
        package var count: UInt64
        package var p50: Double
        package var p95: Double
        package var p99: Double
        package var max: Double
        package var mean: Double

        package init(_ histogram: LatencyHistogram) {
            func milliseconds(_ microseconds: UInt64) -> Double { Double(microseconds) / 1000 }
            count = histogram.count
            p50 = milliseconds(histogram.percentile(0.50))
            p95 = milliseconds(histogram.percentile(0.95))
            p99 = milliseconds(histogram.percentile(0.99))
            max = milliseconds(histogram.maximum)
            mean = histogram.mean / 1000
        }
    }

    package struct PerClientPerSecond: Sendable, Codable, Equatable {
        package var bytes: Double
        package var frames: Double
        package var snapshots: Double
    }

    package struct Totals: Sendable, Codable, Equatable {
        package var connects: Int
        package var connectFailures: Int
        package var welcomes: Int
        package var inputsSent: Int
        package var acksSent: Int
        package var framesReceived: Int
        package var bytesReceived: Int
        package var snapshots: Int
        package var keyframes: Int
        package var deltas: Int
        package var inputsLost: Int
        package var inputsUntracked: Int
        /// Inputs the bots did not send because their loop ran a whole input interval late.
        package var inputsSkipped: Int
        package var resumes: Int
        package var resumedWithDelta: Int
        package var resumedWithKeyframe: Int
    }

    package struct Errors: Sendable, Codable, Equatable {
        /// Everything below: the aim is 0.
        package var total: Int
        /// `ServerMessage.Error`s by code name.
        package var byCode: [String: Int]
        package var hashMismatches: Int
        package var decodeFailures: Int
        package var missingBaselines: Int
        /// Connections that were never welcomed within ``BotSession/joinTimeout``.
        package var joinTimeouts: Int
        /// Connections the server closed, by close code (not counted in `total`: a scenario may cause them).
        package var serverClosesByCode: [String: Int]
    }

    package struct Abuse: Sendable, Codable, Equatable {
        /// Abusive connections by kind.
        package var attempts: [String: Int]
        /// Of those, the ones the server closed with the right code.
        package var answered: [String: Int]
        /// Errors the abusive connections received, by code name.
        package var errorsByCode: [String: Int]
        package var serverClosesByCode: [String: Int]
    }

    package var scenario: String
    package var subprotocol: String
    package var players: Int
    /// The well-behaved ones.
    package var measuredClients: Int
    /// Seconds the measured clients spent playing (welcomed, connected) inside the window, summed: what the
    /// per-client figures divide by. Below `measuredClients × durationSeconds` when some never got in or dropped.
    package var clientSecondsPlayed: Double
    package var rooms: Int
    package var inputRate: Double
    package var warmupSeconds: Double
    package var durationSeconds: Double
    /// Input → own-state latency of inputs sent inside the measurement window.
    package var latencyMs: Percentiles
    /// Connect → first snapshot, for every connection.
    package var firstSnapshotMs: Percentiles
    /// How late the bots' loops ran their input schedule inside the window: the load generator's own delay. A bot
    /// reads its snapshots on the same loop, so on a busy machine the latency figures include about as much.
    package var loopLagMs: Percentiles
    /// Downstream traffic inside the window, per client-second played.
    package var perClientPerSecond: PerClientPerSecond
    package var totals: Totals
    package var errors: Errors
    package var abuse: Abuse?
    /// CPU the bots process used inside the window, per client-second played (1 ms = 1,000 clients per core).
    package var botCPUMsPerClientSecond: Double?

    package init(
        configuration: BotConfiguration,
        measuredClients: Int,
        counters: BotCounters,
        latency: LatencyHistogram,
        firstSnapshot: LatencyHistogram,
        loopLag: LatencyHistogram,
        abuse: BotCounters?,
        botCPUSeconds: Double?
    ) {
        let seconds = configuration.duration.seconds
        let clientSecondsPlayed = Double(counters.windowPlayingMicroseconds) / 1e6
        let clientSeconds = max(clientSecondsPlayed, 0.001)
        scenario = configuration.scenario.kind.rawValue
        subprotocol = configuration.isJSON ? "tickstream.v1.json" : "tickstream.v1.proto"
        players = configuration.players
        self.measuredClients = measuredClients
        self.clientSecondsPlayed = clientSecondsPlayed
        rooms = configuration.rooms
        inputRate = configuration.inputRate
        warmupSeconds = configuration.warmup.seconds
        durationSeconds = seconds
        latencyMs = Percentiles(latency)
        firstSnapshotMs = Percentiles(firstSnapshot)
        loopLagMs = Percentiles(loopLag)
        perClientPerSecond = PerClientPerSecond(
            bytes: Double(counters.windowBytes) / clientSeconds,
            frames: Double(counters.windowFrames) / clientSeconds,
            snapshots: Double(counters.windowSnapshots) / clientSeconds
        )
        totals = Totals(
            connects: counters.connects,
            connectFailures: counters.connectFailures,
            welcomes: counters.welcomes,
            inputsSent: counters.inputsSent,
            acksSent: counters.acksSent,
            framesReceived: counters.framesReceived,
            bytesReceived: counters.bytesReceived,
            snapshots: counters.snapshots,
            keyframes: counters.keyframes,
            deltas: counters.deltas,
            inputsLost: counters.inputsLost,
            inputsUntracked: counters.inputsUntracked,
            inputsSkipped: counters.inputsSkipped,
            resumes: counters.resumes,
            resumedWithDelta: counters.resumedWithDelta,
            resumedWithKeyframe: counters.resumedWithKeyframe
        )
        errors = Errors(
            total: counters.errorTotal,
            byCode: Self.named(counters.errors),
            hashMismatches: counters.hashMismatches,
            decodeFailures: counters.decodeFailures,
            missingBaselines: counters.missingBaselines,
            joinTimeouts: counters.joinTimeouts,
            serverClosesByCode: Self.keyed(counters.serverCloses)
        )
        self.abuse = abuse.map { abuse in
            Abuse(
                attempts: abuse.abuseAttempts,
                answered: abuse.abuseAnswered,
                errorsByCode: Self.named(abuse.errors),
                serverClosesByCode: Self.keyed(abuse.serverCloses)
            )
        }
        botCPUMsPerClientSecond = botCPUSeconds.map { $0 * 1000 / clientSeconds }
    }

    private static func named(_ errors: [Int: Int]) -> [String: Int] {
        Dictionary(
            errors.map { (ErrorCode(rawValue: $0.key).map { "\($0)" } ?? "code \($0.key)", $0.value) },
            uniquingKeysWith: +
        )
    }

    private static func keyed(_ codes: [Int: Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: codes.map { (String($0.key), $0.value) })
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
