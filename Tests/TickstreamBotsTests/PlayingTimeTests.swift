import Testing
@testable import TickstreamBots

struct PlayingTimeTests {
    let start = ContinuousClock.now
    var window: MeasurementWindow { MeasurementWindow(start: start + .seconds(5), end: start + .seconds(35)) }

    @Test func onlyPlayingInsideTheWindowCounts() {
        var time = PlayingTime(window: window, start: start)
        time.change(by: 10, at: start + .seconds(1))
        // 10 players for the whole 30 s window; the warm-up and the time after the end do not count.
        #expect(time.take(until: start + .seconds(40)) == 10 * 30_000_000)
    }

    @Test func playersCountFromWhenTheyStartUntilTheyStop() {
        var time = PlayingTime(window: window, start: start)
        time.change(by: 2, at: start + .seconds(10))
        time.change(by: -1, at: start + .seconds(20))
        time.change(by: 3, at: start + .seconds(30))
        // 2 × 10 s + 1 × 10 s + 4 × 5 s.
        #expect(time.take(until: start + .seconds(35)) == 50_000_000)
    }

    @Test func eachTakeHandsOverOnlyWhatCameSinceTheLast() {
        var time = PlayingTime(window: window, start: start)
        time.change(by: 4, at: start)
        #expect(time.take(until: start + .seconds(6)) == 4_000_000)
        #expect(time.take(until: start + .seconds(8)) == 8_000_000)
        #expect(time.take(until: start + .seconds(8)) == 0)
        #expect(time.playing == 4)
    }
}
