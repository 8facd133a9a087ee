/// Which records of a partition to read: an offset range, a time range, or both (their intersection).
public struct ReadRange: Sendable, Hashable {
    /// The first offset to read; nil: the oldest record.
    public var fromOffset: Int64?
    /// The last offset to read (inclusive); nil: up to the newest record.
    public var toOffset: Int64?
    /// Records at or after this time, milliseconds since 1970; nil: no lower bound.
    public var since: Int64?
    /// Records at or before this time, milliseconds since 1970; nil: no upper bound.
    public var until: Int64?

    public init(fromOffset: Int64? = nil, toOffset: Int64? = nil, since: Int64? = nil, until: Int64? = nil) {
        self.fromOffset = fromOffset
        self.toOffset = toOffset
        self.since = since
        self.until = until
    }

    /// Every record.
    public static let all = ReadRange()
}
