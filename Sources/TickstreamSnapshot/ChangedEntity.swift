public import TickstreamRules

/// An entity of a `SnapshotDelta` whose kind stayed and some of whose fields changed.
public struct ChangedEntity: Sendable, Hashable {
    public var id: EntityID
    public var kind: UInt8
    /// Bit `i` is set when field `i` changed.
    public var changedFields: UInt64
    /// The new values of the changed fields, in field order: one per set bit of `changedFields`.
    public var values: [Int64]

    public init(id: EntityID, kind: UInt8, changedFields: UInt64, values: [Int64]) {
        self.id = id
        self.kind = kind
        self.changedFields = changedFields
        self.values = values
    }
}
