import Testing
@testable import TickstreamSimulation

@Suite struct TickScheduleTests {
    let period = Duration.seconds(1) / 30
    let start = ContinuousClock.now

    @Test func deadlinesStayOnTheGridWhateverTheWakeUpJitter() {
        var schedule = TickSchedule(period: period, start: start)
        var ticks = 0
        var now = start
        // Wake up a little late each time, as a real sleep does.
        while ticks < 300 {
            ticks += schedule.ticksDue(at: now)
            now = schedule.deadline.advanced(by: .milliseconds(2))
        }
        #expect(schedule.deadline == start.advanced(by: period * 300))
        #expect(schedule.overruns == 0)
    }

    @Test func aShortStallIsCaughtUp() {
        var schedule = TickSchedule(period: period, maxCatchUpTicks: 3, start: start)
        let due = schedule.ticksDue(at: start.advanced(by: period * 2))
        #expect(due == 3)
        #expect(schedule.overruns == 1)
        #expect(schedule.droppedTicks == 0)
        #expect(schedule.deadline == start.advanced(by: period * 3))
    }

    @Test func aLongStallDropsTicksInsteadOfBuildingABacklog() {
        var schedule = TickSchedule(period: period, maxCatchUpTicks: 3, start: start)
        let due = schedule.ticksDue(at: start.advanced(by: .seconds(10)))
        #expect(due == 4)
        #expect(schedule.droppedTicks > 290)
        #expect(schedule.deadline > start.advanced(by: .seconds(10)))
        #expect(schedule.deadline <= start.advanced(by: .seconds(10) + period))
    }

    @Test func nothingIsDueBeforeTheDeadline() {
        var schedule = TickSchedule(period: period, start: start)
        #expect(schedule.ticksDue(at: start.advanced(by: .milliseconds(-1))) == 0)
    }
}
