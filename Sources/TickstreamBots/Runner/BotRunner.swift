package import Logging
import NIOCore
import NIOPosix

/// Runs a configuration's bots against a gateway and reports what they measured.
///
/// All connections share one event loop group (one thread by default); each bot is a child task of one task group.
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
    package func run(progress: Bool = true) async throws -> BotReport {
        let plans = self.plans
        let measuredClients = plans.count { if case .abusive = $0.role { false } else { true } }
        let hasAbuse = measuredClients < plans.count
        let start = ContinuousClock.now + .milliseconds(50)
        let window = MeasurementWindow(start: start + configuration.warmup, end: start + configuration.warmup + configuration.duration)
        let recorder = BotRecorder()
        let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
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
                for plan in plans {
                    group.addTask {
                        await run(plan, start: start, window: window, recorder: recorder, eventLoopGroup: eventLoopGroup)
                        return nil
                    }
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
            abuse: hasAbuse ? totals.abuse : nil,
            botCPUSeconds: cpuSeconds
        )
    }

    private func run(
        _ plan: BotPlan,
        start: ContinuousClock.Instant,
        window: MeasurementWindow,
        recorder: BotRecorder,
        eventLoopGroup: any EventLoopGroup
    ) async {
        var logger = self.logger
        logger[metadataKey: "bot"] = "\(plan.index)"
        switch plan.role {
        case .abusive(let kind):
            await AbusiveBot(
                plan: plan,
                kind: kind,
                configuration: configuration,
                start: start,
                window: window,
                recorder: recorder,
                eventLoopGroup: eventLoopGroup,
                logger: logger
            ).run()
        case .player, .spectator, .slowReader:
            await PlayerBot(
                plan: plan,
                configuration: configuration,
                start: start,
                window: window,
                recorder: recorder,
                eventLoopGroup: eventLoopGroup,
                logger: logger
            ).run()
        }
    }
}
