package import TickstreamArena
import TickstreamRules

/// The arena's held-direction pattern: keep a heading for a while (as a player holds a key), then pick another.
///
/// Seeded, so that a bot's inputs are the same from run to run.
package struct HeldDirection: Sendable {
    private var random: DeterministicRandom
    private let holdRange: ClosedRange<Int64>
    private var heading: ArenaHeading = .still
    private var remaining: Int64 = 0

    /// - Parameters:
    ///   - seed: The bot's seed.
    ///   - holdRange: How many inputs a heading is held for, e.g. half a second to two seconds of inputs.
    package init(seed: UInt64, holdRange: ClosedRange<Int64>) {
        precondition(holdRange.lowerBound > 0)
        self.random = DeterministicRandom(seed: seed)
        self.holdRange = holdRange
    }

    /// The heading of the next input.
    package mutating func next() -> ArenaHeading {
        if remaining == 0 {
            let cases = ArenaHeading.allCases
            heading = cases[Int(random.next(in: 0...Int64(cases.count - 1)))]
            remaining = random.next(in: holdRange)
        }
        remaining -= 1
        return heading
    }
}
