/// What the synthetic players do besides playing steadily.
///
/// A struct with static factories rather than an enum, so that scenarios can be added without breaking callers.
package struct BotScenario: Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        case steady
        case churn
        case reconnect
        case slow
        case spectators
        case abusive
    }

    package let kind: Kind
    /// The share of players concerned, spread evenly over the rooms; for churn, the share of players that leave (and
    /// are replaced) per second.
    package let fraction: Double

    private init(_ kind: Kind, fraction: Double) {
        precondition((0...1).contains(fraction), "a fraction is 0...1")
        self.kind = kind
        self.fraction = fraction
    }

    /// Every player plays for the whole run.
    package static var steady: Self { .init(.steady, fraction: 0) }
    /// Each second, `fraction` of the players leave and as many new players join (default 2 %).
    package static func churn(fraction: Double = 0.02) -> Self { .init(.churn, fraction: fraction) }
    /// Halfway through the measurement, `fraction` of the players drop at once and resume with their last
    /// acknowledged tick (default 20 %).
    package static func reconnect(fraction: Double = 0.2) -> Self { .init(.reconnect, fraction: fraction) }
    /// `fraction` of the players read their socket slowly (default 10 %).
    package static func slow(fraction: Double = 0.1) -> Self { .init(.slow, fraction: fraction) }
    /// `fraction` of the players join and never send inputs (default 20 %).
    package static func spectators(fraction: Double = 0.2) -> Self { .init(.spectators, fraction: fraction) }
    /// `fraction` of the connections send malformed, oversized or flooding traffic, in turn (default 5 %).
    package static func abusive(fraction: Double = 0.05) -> Self { .init(.abusive, fraction: fraction) }

    /// The scenario named `name` with `fraction`, or its default fraction when nil; nil for an unknown name.
    package static func named(_ name: String, fraction: Double? = nil) -> Self? {
        guard let kind = Kind(rawValue: name) else { return nil }
        switch kind {
        case .steady: return .steady
        case .churn: return fraction.map { .churn(fraction: $0) } ?? .churn()
        case .reconnect: return fraction.map { .reconnect(fraction: $0) } ?? .reconnect()
        case .slow: return fraction.map { .slow(fraction: $0) } ?? .slow()
        case .spectators: return fraction.map { .spectators(fraction: $0) } ?? .spectators()
        case .abusive: return fraction.map { .abusive(fraction: $0) } ?? .abusive()
        }
    }

    package var description: String {
        kind == .steady ? kind.rawValue : "\(kind.rawValue) (\(fraction))"
    }
}
