import TickstreamProtocol
import TickstreamRules

extension EntityTable {
    /// Why JSON entities did not apply.
    struct EntityStateError: Error {
        let reason: String
    }

    /// The state a JSON snapshot describes: `entities` in full on top of nothing (a keyframe), or the changed and
    /// added entities and the removed ids on top of `baseline` (a delta).
    ///
    /// - Throws: ``EntityStateError`` for an unknown kind or field, or a changed entity the baseline lacks.
    static func applying(
        _ entities: [ServerMessage.EntityState],
        removed: [UInt32],
        to baseline: EntityTable?,
        schema: EntitySchema
    ) throws(EntityStateError) -> EntityTable {
        var table = baseline ?? EntityTable()
        for id in removed {
            _ = table.remove(id)
        }
        for state in entities {
            guard let kindIndex = schema.kinds.firstIndex(where: { $0.name == state.kind }) else {
                throw EntityStateError(reason: "unknown kind '\(state.kind)'")
            }
            let kind = schema.kinds[kindIndex]
            var entity: Entity
            if let existing = table[id: state.id], Int(existing.kind) == kindIndex {
                entity = existing
            } else {
                guard state.fields.count == kind.fields.count else {
                    throw EntityStateError(reason: "entity \(state.id) is new but has \(state.fields.count) fields")
                }
                entity = Entity(id: state.id, kind: UInt8(kindIndex), fields: Array(repeating: 0, count: kind.fields.count))
            }
            for (name, value) in state.fields {
                guard let field = kind.fieldIndex(name) else {
                    throw EntityStateError(reason: "unknown field '\(name)' of \(kind.name)")
                }
                entity.fields[field] = value
            }
            table.upsert(entity)
        }
        return table
    }
}
