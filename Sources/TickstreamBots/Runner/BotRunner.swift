package import Logging
import NIOCore
import NIOPosix

/// Runs a configuration's bots against a gateway and reports what they measured.
///
/// The bots are spread over the event loops of one group (one thread by default); each loop drives its bots, their
/// connections and their inputs on its own thread, so no frame crosses into Swift concurrency. Only the progress
/// line and the CPU sample run as tasks, once a second.
package struct BotRunner: Sendable {
    package let configuration: BotConfiguration
    package let logger: Logger

    package init(configuration: BotConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The plans of this run's bots.
    package var plans: [BotPlan] {
        ScenarioSchedule(
            scenario: configuration.scenario,
            players: configuration.players,
            rooms: configuration.rooms,
            roomPrefix: configuration.roomPrefix,
            warmup: configuration.warmup,
            duration: configuration.duration
        ).plans()
    }

    /// Runs the bots for the warm-up and the duration, then closes them and returns the report.
    ///
    /// - Parameter progress: Write a progress line on standard error every second.
    /// - Throws: ``BotTransportError`` for a URL that is not `ws://` or `wss://`; NIOSSL's errors if TLS cannot be
    ///   set up.
    package func run(progress: Bool = true) async throws -> BotReport {
        let plans = self.plans
        let measuredClients = plans.count { if case .abusive = $0.role { false } else { true } }
        let hasAbuse = measuredClients < plans.count
        let connector = try WebSocketConnector(
            url: WebSocketURL(configuration.url),
            headers: configuration.headers,
            maxMessageSize: configuration.maxMessageSize
        )
        let start = ContinuousClock.now + .milliseconds(50)
        let window = MeasurementWindow(start: start + configuration.warmup, end: start + configuration.warmup + configuration.duration)
        let run = BotRun(configuration: configuration, connector: connector, start: start, window: window)
        let recorder = BotRecorder()
        let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
        let eventLoops = Array(eventLoopGroup.makeIterator())
        // Round robin, so that every loop has its share of each room and each role.
        let finished = eventLoops.indices.map { loopIndex in
            BotLoop.start(
                plans.filter { $0.index % eventLoops.count == loopIndex },
                on: eventLoops[loopIndex],
                run: run,
                recorder: recorder,
                logger: logger
            )
        }
        let cpuSeconds: Double?
        do {
            cpuSeconds = try await withThrowingTaskGroup(of: Double?.self) { group in
                if progress {
                    group.addTask {
                        await ProgressReporter(recorder: recorder, start: start, window: window, measuredClients: measuredClients).run()
                        return nil
                    }
                }
                group.addTask {
                    // The bots' own CPU time inside the window: whether the load generator could be the bottleneck.
                    try await Task.sleep(until: window.start)
                    let before = ProcessCPUTime.now()
                    try await Task.sleep(until: window.end)
                    return ProcessCPUTime.now() - before
                }
                group.addTask {
                    try await EventLoopFuture.andAllSucceed(finished, on: eventLoops[0]).get()
                    return nil
                }
                var cpuSeconds: Double?
                for try await result in group {
                    if let result { cpuSeconds = result }
                }
                return cpuSeconds
            }
        } catch {
            try? await eventLoopGroup.shutdownGracefully()
            throw error
        }
        try await eventLoopGroup.shutdownGracefully()
        let totals = recorder.totals
        return BotReport(
            configuration: configuration,
            measuredClients: measuredClients,
            counters: totals.counters,
            latency: totals.latency,
            firstSnapshot: totals.firstSnapshot,
            loopLag: totals.loopLag,
            abuse: hasAbuse ? totals.abuse : nil,
            botCPUSeconds: cpuSeconds
        )
    }
}
