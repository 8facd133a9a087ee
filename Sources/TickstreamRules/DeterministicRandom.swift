/// The only randomness rules may use: a generator seeded from the room and the tick.
///
/// SplitMix64: small, fast, and the same sequence on every platform, so replay reproduces it.
public struct DeterministicRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    /// The generator for `tick` of `room`.
    public init(room: String, tick: UInt64) {
        var hasher = StateHasher()
        hasher.combine(room)
        hasher.combine(tick)
        self.init(seed: hasher.finalize())
    }

    /// A value in `range`, by an algorithm of our own so that it never changes with the standard library.
    public mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        guard span != 0 else { return Int64(bitPattern: next()) }
        let offset = next().multipliedFullWidth(by: span).high
        return range.lowerBound &+ Int64(bitPattern: offset)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
