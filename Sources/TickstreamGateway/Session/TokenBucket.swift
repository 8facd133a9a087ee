/// A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`.
///
/// Time is passed in, so that the bucket stays a pure value and tests control the clock.
struct TokenBucket {
    let capacity: Double
    let refillPerSecond: Double
    private(set) var tokens: Double
    private var lastRefill: ContinuousClock.Instant

    /// A full bucket.
    init(capacity: Double, refillPerSecond: Double, now: ContinuousClock.Instant) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.tokens = capacity
        self.lastRefill = now
    }

    /// Takes one token if there is one.
    mutating func take(at now: ContinuousClock.Instant) -> Bool {
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    private mutating func refill(at now: ContinuousClock.Instant) {
        guard now > lastRefill else { return }
        let (seconds, attoseconds) = (now - lastRefill).components
        let elapsed = Double(seconds) + Double(attoseconds) / 1e18
        tokens = min(capacity, tokens + elapsed * refillPerSecond)
        lastRefill = now
    }
}
