import Testing

@testable import TickstreamBots

@Suite struct InputScheduleTests {
    let schedule = InputSchedule(interval: .seconds(1.0 / 30))

    /// Within a nanosecond: a period is the interval divided, rounded to the attosecond.
    func isClose(_ a: Duration, _ b: Duration) -> Bool {
        a - b < .nanoseconds(1) && b - a < .nanoseconds(1)
    }

    @Test func thirtyHertzIsCutIntoTicksOfAtLeastFiveMilliseconds() {
        #expect(schedule.slots == 6)
        #expect(schedule.tickPeriod >= .milliseconds(5))
        #expect(isClose(schedule.tickPeriod * schedule.slots, schedule.interval))
    }

    @Test func slowRatesUseAtMostSixteenSlotsAndFastRatesOne() {
        #expect(InputSchedule(interval: .seconds(1)).slots == 16)
        #expect(InputSchedule(interval: .milliseconds(2)).slots == 1)
    }

    @Test func everyBotSendsOncePerIntervalAndSlotsAreBalanced() {
        let bots = 1_000
        var sends = Array(repeating: 0, count: bots)
        let intervals = 30
        for tick in 0..<(schedule.slots * intervals) {
            for bot in 0..<bots where schedule.slot(ofBot: bot) == schedule.slot(ofTick: tick) {
                sends[bot] += 1
            }
        }
        #expect(sends.allSatisfy { $0 == intervals })
        let perSlot = Dictionary(grouping: 0..<bots, by: schedule.slot(ofBot:)).values.map(\.count)
        #expect(perSlot.max()! - perSlot.min()! <= 1)
    }

    @Test func ticksAreDueAtMultiplesOfThePeriodSoTheyDoNotDrift() {
        // However late tick 299 ran, tick 300 is due fifty intervals after the start.
        #expect(isClose(schedule.offset(ofTick: 300), schedule.interval * 50))
        #expect(schedule.ticks(from: 300, elapsed: schedule.offset(ofTick: 300) + .milliseconds(1)) == 300...300)
    }

    @Test func aLateLoopRunsTheTicksItMissed() {
        // Woken 12 ms late: the two ticks that came due meanwhile run too, so their bots keep their inputs.
        let elapsed = schedule.offset(ofTick: 8) + .milliseconds(12)
        #expect(schedule.ticks(from: 8, elapsed: elapsed) == 8...10)
    }

    @Test func aStalledLoopRunsOneIntervalOfTicksAndSkipsTheRest() {
        // Stalled for a quarter of a second after tick 10: each slot runs once, for the latest interval only.
        let elapsed = schedule.offset(ofTick: 11) + .milliseconds(250)
        let ticks = schedule.ticks(from: 11, elapsed: elapsed)
        #expect(ticks.count == schedule.slots)
        #expect(Set(ticks.map(schedule.slot(ofTick:))).count == schedule.slots)
        #expect(schedule.offset(ofTick: ticks.upperBound) <= elapsed)
        #expect(schedule.offset(ofTick: ticks.upperBound + 1) > elapsed)
    }

    @Test func aTickThatFiresEarlyStillRunsOnce() {
        // The loop's clock and the bots' clock may disagree by a little: the tick runs, and only it.
        #expect(schedule.ticks(from: 5, elapsed: schedule.offset(ofTick: 5) - .microseconds(3)) == 5...5)
        #expect(schedule.ticks(from: 0, elapsed: .milliseconds(-40)) == 0...0)
    }
}
