import Logging
import NIOCore

/// The bots that share one event loop, and the one repeating task that asks them, slot by slot, whether an input
/// is due.
///
/// Everything here runs on `eventLoop`: the bots, their connections and the tick need no locks. The loop gathers
/// its bots' figures and hands them to the shared recorder once a second, which is the only lock it takes.
final class BotLoop {
    let eventLoop: any EventLoop
    let run: BotRun
    private let recorder: BotRecorder
    private let inputSchedule: InputSchedule
    /// The players of each input slot.
    private var slots: [[PlayerBot]]
    /// Bots whose last connection has not ended yet.
    private var running = 0
    /// The first tick not yet run.
    private var tick = 0
    private var tickTask: Scheduled<Void>?
    private var nextHandOver: ContinuousClock.Instant
    private var measured = BotMeasurements()
    private var abuse = BotMeasurements()
    private var hasAbuse = false
    private var connectedChange = 0
    private var playingChange = 0
    private var playingTime: PlayingTime
    private let finished: EventLoopPromise<Void>

    /// Starts `plans` on `eventLoop`; the future succeeds when every bot has finished and handed its figures over.
    static func start(
        _ plans: [BotPlan],
        on eventLoop: any EventLoop,
        run: BotRun,
        recorder: BotRecorder,
        logger: Logger
    ) -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            BotLoop(eventLoop: eventLoop, run: run, recorder: recorder).start(plans, logger: logger)
        }
    }

    private init(eventLoop: any EventLoop, run: BotRun, recorder: BotRecorder) {
        self.eventLoop = eventLoop
        self.run = run
        self.recorder = recorder
        inputSchedule = InputSchedule(interval: .seconds(1 / run.configuration.inputRate))
        slots = Array(repeating: [], count: inputSchedule.slots)
        // Half a second off the progress line's schedule (start + 1 s, + 2 s...): on the same instants, a hand-over
        // landed now before, now after a line, which then showed 0 inputs/s and the next one twice the rate.
        nextHandOver = run.start + .milliseconds(500)
        playingTime = PlayingTime(window: run.window, start: run.start)
        finished = eventLoop.makePromise()
    }

    private func start(_ plans: [BotPlan], logger: Logger) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        var players: [PlayerBot] = []
        var abusers: [AbusiveBot] = []
        for plan in plans {
            var logger = logger
            logger[metadataKey: "bot"] = "\(plan.index)"
            switch plan.role {
            case .abusive(let kind):
                abusers.append(AbusiveBot(plan: plan, kind: kind, loop: self, logger: logger))
            case .player, .spectator, .slowReader:
                let player = PlayerBot(plan: plan, loop: self, logger: logger)
                slots[inputSchedule.slot(ofBot: players.count)].append(player)
                players.append(player)
            }
        }
        running = plans.count
        guard running > 0 else {
            finished.succeed()
            return finished.futureResult
        }
        players.forEach { $0.start() }
        abusers.forEach { $0.start() }
        scheduleTick()
        return finished.futureResult
    }

    /// Runs `task` on this loop at `instant`.
    @discardableResult
    func schedule(at instant: ContinuousClock.Instant, _ task: @escaping () -> Void) -> Scheduled<Void> {
        eventLoop.assumeIsolated().scheduleTask(deadline: run.deadline(instant), task)
    }

    /// A player's connection opened (+1) or closed (-1); it was welcomed (+1) or stopped playing (-1).
    func adjust(connected: Int = 0, playing: Int = 0) {
        connectedChange += connected
        playingChange += playing
        if playing != 0 {
            playingTime.change(by: playing, at: .now)
        }
    }

    /// One abusive attempt's figures.
    func addAbuse(_ measurements: BotMeasurements) {
        abuse.merge(measurements)
        hasAbuse = true
    }

    /// A bot is done for the run; the last one ends the loop's part.
    func botFinished() {
        eventLoop.assertInEventLoop()
        running -= 1
        guard running == 0 else { return }
        tickTask?.cancel()
        tickTask = nil
        handOver()
        // The players hold the loop: let them go.
        slots = []
        finished.succeed()
    }

    private func scheduleTick() {
        let due = run.start + inputSchedule.offset(ofTick: tick)
        tickTask = schedule(at: due) { [self] in
            let ticks = inputSchedule.ticks(from: tick, elapsed: run.start.duration(to: .now))
            measureLag(due: due, skipping: tick..<ticks.lowerBound)
            for tick in ticks {
                // A send can finish the last bot, which empties the slots: then the loop's part is over.
                guard running > 0 else { return }
                for player in slots[inputSchedule.slot(ofTick: tick)] {
                    player.sendInputIfDue(at: .now)
                }
            }
            guard running > 0 else { return }
            tick = ticks.upperBound + 1
            let now = ContinuousClock.now
            if now >= nextHandOver {
                handOver()
                nextHandOver += .seconds(1)
            }
            scheduleTick()
        }
    }

    /// Notes how late the tick due at `due` runs, and the inputs of the `skipped` ticks, which it runs too late for.
    private func measureLag(due: ContinuousClock.Instant, skipping skipped: Range<Int>) {
        if run.window.contains(due) {
            measured.loopLags.append(BotMeasurements.microseconds(due.duration(to: .now)))
        }
        for tick in skipped {
            for player in slots[inputSchedule.slot(ofTick: tick)] {
                player.skipInput()
            }
        }
    }

    /// Gives the recorder what the loop's bots measured since the last hand-over.
    private func handOver() {
        measured.counters.windowPlayingMicroseconds += playingTime.take(until: .now)
        for slot in slots {
            for player in slot {
                measured.merge(player.takeMeasurements())
            }
        }
        recorder.adjust(connected: connectedChange, playing: playingChange)
        connectedChange = 0
        playingChange = 0
        recorder.add(measured)
        measured = BotMeasurements()
        if hasAbuse {
            recorder.add(abuse, abusive: true)
            abuse = BotMeasurements()
            hasAbuse = false
        }
    }
}
