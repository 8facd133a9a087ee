/// A held direction: one of the eight compass directions, or still.
public enum ArenaHeading: Int64, Sendable, CaseIterable {
    case still = 0
    case north, northEast, east, southEast, south, southWest, west, northWest

    public init(dx: Int64, dy: Int64) {
        switch (dx, dy) {
        case (0, -1): self = .north
        case (1, -1): self = .northEast
        case (1, 0): self = .east
        case (1, 1): self = .southEast
        case (0, 1): self = .south
        case (-1, 1): self = .southWest
        case (-1, 0): self = .west
        case (-1, -1): self = .northWest
        default: self = .still
        }
    }

    public var dx: Int64 {
        switch self {
        case .northEast, .east, .southEast: 1
        case .southWest, .west, .northWest: -1
        case .still, .north, .south: 0
        }
    }

    public var dy: Int64 {
        switch self {
        case .north, .northEast, .northWest: -1
        case .southEast, .south, .southWest: 1
        case .still, .east, .west: 0
        }
    }

    var isDiagonal: Bool { dx != 0 && dy != 0 }
}

/// The arena's input payload: two signed bytes, dx and dy, each -1, 0 or 1.
public struct ArenaInput: Sendable, Hashable {
    public var heading: ArenaHeading

    public init(heading: ArenaHeading) {
        self.heading = heading
    }

    /// Decodes a payload; nil if it is not two bytes in range.
    public init?(payload: [UInt8]) {
        guard payload.count == 2 else { return nil }
        let dx = Int64(Int8(bitPattern: payload[0]))
        let dy = Int64(Int8(bitPattern: payload[1]))
        guard (-1...1).contains(dx), (-1...1).contains(dy) else { return nil }
        self.heading = ArenaHeading(dx: dx, dy: dy)
    }

    public var payload: [UInt8] {
        [UInt8(bitPattern: Int8(heading.dx)), UInt8(bitPattern: Int8(heading.dy))]
    }
}
