import TickstreamRules

/// What the decoder assumes of an entity that a delta does not mention: every field with a velocity
/// field moved by velocity × elapsed ticks, every other field kept its value.
///
/// Encoder and decoder share it, so an exact prediction costs no bytes. The arithmetic wraps, so
/// every `Int64` value round-trips whatever the velocity.
struct SnapshotPrediction {
    let schema: EntitySchema
    let elapsedTicks: Int64

    init(schema: EntitySchema, elapsedTicks: UInt64) {
        self.schema = schema
        self.elapsedTicks = Int64(truncatingIfNeeded: elapsedTicks)
    }

    /// The predicted value of field `index` of `fields`, an entity of `kind`.
    @inline(__always)
    func value(_ index: Int, of fields: [Int64], kind: Int) -> Int64 {
        guard let velocityField = schema.kinds[kind].fields[index].velocityField else { return fields[index] }
        return fields[index] &+ fields[velocityField] &* elapsedTicks
    }

    /// `entity` with every field at its predicted value; shares the field storage when nothing moves.
    func predicted(_ entity: Entity) -> Entity {
        guard elapsedTicks != 0 else { return entity }
        var result = entity
        let kind = Int(entity.kind)
        for index in entity.fields.indices {
            let value = value(index, of: entity.fields, kind: kind)
            // Copy-on-write copies the fields only at the first field that moves.
            if value != entity.fields[index] {
                result.fields[index] = value
            }
        }
        return result
    }
}
