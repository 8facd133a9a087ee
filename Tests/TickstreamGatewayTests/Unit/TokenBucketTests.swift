import Testing
@testable import TickstreamGateway

@Suite struct TokenBucketTests {
    @Test func burstThenSteadyRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(capacity: 3, refillPerSecond: 2, now: start)
        var taken: [Bool] = []
        for offset in [0, 0, 0, 0, 400, 500] {
            taken.append(bucket.take(at: start + .milliseconds(offset)))
        }
        #expect(taken == [true, true, true, false, false, true])
        // Refills never exceed the capacity.
        let later = start + .seconds(60)
        taken = (0..<4).map { _ in bucket.take(at: later) }
        #expect(taken == [true, true, true, false])
    }
}
