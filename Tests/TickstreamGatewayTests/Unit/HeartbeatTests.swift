import Testing
@testable import TickstreamGateway

@Suite struct HeartbeatTests {
    let start = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start.advanced(by: .milliseconds(milliseconds))
    }

    @Test func aClientHeardFromWithinTheIntervalIsNotPinged() {
        let heartbeat = Heartbeat(interval: .seconds(1), now: at(0))
        for milliseconds in stride(from: 250, through: 5_000, by: 250) {
            heartbeat.heard(at: at(milliseconds - 100))
            #expect(heartbeat.due(at: at(milliseconds)) == .none)
        }
    }

    @Test func aQuietClientIsPingedAndAnAnswerStartsTheIntervalAgain() {
        let heartbeat = Heartbeat(interval: .seconds(1), now: at(0))
        #expect(heartbeat.due(at: at(750)) == .none)
        #expect(heartbeat.due(at: at(1_000)) == .ping)
        #expect(heartbeat.due(at: at(1_250)) == .none, "one ping per interval")
        heartbeat.heard(at: at(1_300))
        #expect(heartbeat.due(at: at(2_250)) == .none, "an interval from the answer, not from the ping")
        #expect(heartbeat.due(at: at(2_300)) == .ping)
    }

    /// While the server holds the client's reads, nothing it sends can be heard: no ping, no timeout; reading again
    /// starts a fresh interval.
    @Test func aHoldByTheServerNeitherPingsNorTimesOut() {
        let heartbeat = Heartbeat(interval: .seconds(1), now: at(0))
        #expect(heartbeat.due(at: at(1_000)) == .ping)
        heartbeat.hold()
        #expect(heartbeat.due(at: at(2_000)) == .none, "the ping's answer may be among what is not read")
        #expect(heartbeat.due(at: at(30_000)) == .none)
        heartbeat.resumeAfterHold(at: at(30_000))
        #expect(heartbeat.due(at: at(30_900)) == .none, "an interval from the resumption")
        #expect(heartbeat.due(at: at(31_000)) == .ping)
        #expect(heartbeat.due(at: at(32_000)) == .timedOut, "an unanswered ping after it still times out")
    }

    @Test func aPingUnansweredForAnIntervalTimesOutOnce() {
        let heartbeat = Heartbeat(interval: .seconds(1), now: at(0))
        #expect(heartbeat.due(at: at(1_000)) == .ping)
        heartbeat.heard(at: at(900))
        #expect(heartbeat.due(at: at(1_750)) == .none)
        #expect(heartbeat.due(at: at(2_000)) == .timedOut, "what was heard before the ping does not answer it")
        #expect(heartbeat.due(at: at(2_250)) == .none)
        heartbeat.heard(at: at(2_300))
        #expect(heartbeat.due(at: at(5_000)) == .none, "a timed-out connection is closing")
    }
}
