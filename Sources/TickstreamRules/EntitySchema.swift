/// The shape of a game's state, declared by its rules: the kinds of entity and the integer fields each carries.
///
/// The snapshot codec encodes any game from this declaration alone.
public struct EntitySchema: Sendable, Hashable {
    /// The entity kinds; an entity's `kind` is an index into this array.
    public var kinds: [EntityKind]

    public init(kinds: [EntityKind]) {
        precondition(kinds.count <= Int(UInt8.max) + 1, "at most 256 entity kinds")
        for kind in kinds {
            precondition(kind.fields.count <= 64, "at most 64 fields per entity kind")
            for field in kind.fields {
                if let velocity = field.velocityField {
                    precondition(kind.fields.indices.contains(velocity), "velocity field of \(field.name) out of range")
                }
            }
        }
        self.kinds = kinds
    }

    /// The number of fields an entity of `kind` carries, or nil if the kind is undeclared.
    @inlinable
    public func fieldCount(of kind: UInt8) -> Int? {
        let index = Int(kind)
        return index < kinds.count ? kinds[index].fields.count : nil
    }
}

/// A kind of entity (a player, a pickup) and its fields.
public struct EntityKind: Sendable, Hashable {
    public var name: String
    public var fields: [EntityField]

    public init(name: String, fields: [EntityField]) {
        self.name = name
        self.fields = fields
    }

    /// The index of the field called `name`.
    public func fieldIndex(_ name: String) -> Int? {
        fields.firstIndex { $0.name == name }
    }
}

/// An integer field of an entity kind.
public struct EntityField: Sendable, Hashable {
    /// The name clients see (for example in the JSON subprotocol).
    public var name: String
    /// Quantization: stored units per game unit (100 means a resolution of 0.01 units).
    public var unitsPerGameUnit: Int64
    /// The field that holds this field's change per tick, if it moves steadily.
    ///
    /// The codec predicts the field as `value + velocity × elapsed ticks`, so a steady mover costs almost nothing.
    public var velocityField: Int?

    public init(_ name: String, unitsPerGameUnit: Int64 = 1, velocityField: Int? = nil) {
        self.name = name
        self.unitsPerGameUnit = unitsPerGameUnit
        self.velocityField = velocityField
    }
}
