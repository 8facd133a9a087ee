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

    /// The predicted value of field `field` of the entity at `position` in `table`.
    @inline(__always)
    func value(_ field: Int, at position: Int, of table: EntityTable) -> Int64 {
        let value = table[position, field: field]
        let kind = Int(table.kind(at: position))
        guard let velocityField = schema.kinds[kind].fields[field].velocityField else { return value }
        return value &+ table[position, field: velocityField] &* elapsedTicks
    }

    /// Appends the entity at `position` in `baseline` to `table` with every field at its predicted value; returns
    /// its position in `table`.
    func appendPredicted(_ position: Int, of baseline: EntityTable, to table: inout EntityTable) -> Int {
        let fieldCount = baseline.fieldCount(at: position)
        let id = baseline.id(at: position)
        let appended = table.append(id: id, kind: baseline.kind(at: position), fieldCount: fieldCount)
        for field in 0..<fieldCount {
            table[appended, field: field] = value(field, at: position, of: baseline)
        }
        return appended
    }
}
