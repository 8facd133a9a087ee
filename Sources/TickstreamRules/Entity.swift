/// Identifies an entity within its room. The room's state allocates them in increasing order.
public typealias EntityID = UInt32

/// One row of a room's state: an id, a kind, and the kind's integer fields.
public struct Entity: Sendable, Hashable {
    public var id: EntityID
    /// Index into the rules' `EntitySchema.kinds`.
    public var kind: UInt8
    /// One value per field of the kind, in the order the schema declares them.
    public var fields: [Int64]

    public init(id: EntityID, kind: UInt8, fields: [Int64]) {
        self.id = id
        self.kind = kind
        self.fields = fields
    }
}
