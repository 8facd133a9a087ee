import Testing
import TickstreamBots

@Suite struct InputLatencyTrackerTests {
    let origin = ContinuousClock.now

    @Test func aSnapshotSettlesEveryInputUpToItsSequence() {
        var tracker = InputLatencyTracker()
        for sequence in UInt64(1)...4 {
            tracker.sent(sequence, at: origin + .milliseconds(Int(sequence) * 10))
        }
        var latencies: [Duration] = []
        tracker.applied(upTo: 2, at: origin + .milliseconds(50)) { _, latency in latencies.append(latency) }
        #expect(latencies == [.milliseconds(40), .milliseconds(30)])
        #expect(tracker.count == 2)
        // An older sequence again (a snapshot that did not advance) settles nothing.
        tracker.applied(upTo: 2, at: origin + .milliseconds(60)) { _, _ in Issue.record("settled twice") }
        latencies = []
        tracker.applied(upTo: 10, at: origin + .milliseconds(70)) { _, latency in latencies.append(latency) }
        #expect(latencies == [.milliseconds(40), .milliseconds(30)])
        #expect(tracker.count == 0)
    }

    @Test func theSendTimeComesBackToTellTheWindow() {
        var tracker = InputLatencyTracker()
        tracker.sent(7, at: origin)
        var sentAt: ContinuousClock.Instant?
        tracker.applied(upTo: 7, at: origin + .milliseconds(5)) { sent, _ in sentAt = sent }
        #expect(sentAt == origin)
    }

    @Test func aFullTrackerForgetsTheOldest() {
        var tracker = InputLatencyTracker(capacity: 3)
        for sequence in UInt64(1)...5 {
            tracker.sent(sequence, at: origin)
        }
        #expect(tracker.untracked == 2)
        #expect(tracker.count == 3)
        var settled = 0
        tracker.applied(upTo: 5, at: origin) { _, _ in settled += 1 }
        #expect(settled == 3)
    }

    @Test func resetCountsWhatWasPending() {
        var tracker = InputLatencyTracker()
        tracker.sent(1, at: origin)
        tracker.sent(2, at: origin)
        #expect(tracker.reset() == 2)
        #expect(tracker.count == 0)
    }
}
