import SwiftProtobuf
import Testing
@testable import TickstreamGateway

@Suite struct TokenBucketTests {
    @Test func burstThenSteadyRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(capacity: 3, refillPerSecond: 2, now: start)
        #expect((0..<3).allSatisfy { _ in bucket.take(at: start) })
        #expect(!bucket.take(at: start))
        #expect(!bucket.take(at: start + .milliseconds(400)))
        #expect(bucket.take(at: start + .milliseconds(500)))
        // Refills never exceed the capacity.
        let later = start + .seconds(60)
        #expect((0..<3).allSatisfy { _ in bucket.take(at: later) })
        #expect(!bucket.take(at: later))
    }
}
